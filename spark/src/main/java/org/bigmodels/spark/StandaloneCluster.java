package org.bigmodels.spark;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * A Spark standalone cluster on this machine, started from the Maven jars alone (no Spark distribution): one master
 * and {@code workers} worker processes, all bound to 127.0.0.1, each worker offering {@code coresPerWorker} task
 * slots. Executors inherit this JVM's class path (SPARK_DIST_CLASSPATH), so the course's classes need no app jar.
 * This is what {@code $SPARK_HOME/sbin/start-master.sh} and {@code start-worker.sh} do on real machines.
 *
 * <p>{@link #close()} kills every process (a shutdown hook does it too if the JVM exits first). Logs go to
 * {@code dir/master.log} and {@code dir/worker-i.log}.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final String masterUrl;
    private final int workers, coresPerWorker;
    private final Path dir;
    private final Thread hook = new Thread(this::close, "standalone-cluster-stop");

    private StandaloneCluster(String masterUrl, int workers, int coresPerWorker, Path dir) {
        this.masterUrl = masterUrl;
        this.workers = workers;
        this.coresPerWorker = coresPerWorker;
        this.dir = dir;
    }

    /**
     * Starts the master, waits until it accepts connections, then starts the workers.
     *
     * @param dir           a folder for logs, work directories and the (empty) SPARK_HOME the workers need
     * @param timeoutMillis how long to wait for the master to listen
     * @throws IllegalStateException when the master does not come up in time (its log is named)
     */
    public static StandaloneCluster start(int workers, int coresPerWorker, Path dir, long timeoutMillis) {
        return start(workers, coresPerWorker, dir, timeoutMillis, 0);
    }

    /**
     * {@link #start(int, int, Path, long)} with the master on {@code port} (0: a free port).
     *
     * @throws IllegalStateException when the port is taken or the master does not come up in time
     */
    public static StandaloneCluster start(int workers, int coresPerWorker, Path dir, long timeoutMillis, int port) {
        if (port != 0 && listening(port)) {
            throw new IllegalStateException("StandaloneCluster: 127.0.0.1:" + port + " is taken (another master? "
                    + "./course spark-cluster stop stops the course's)");
        }
        if (workers < 1 || coresPerWorker < 1) {
            throw new IllegalArgumentException("StandaloneCluster: expected workers >= 1 and coresPerWorker >= 1, got "
                    + workers + ", " + coresPerWorker);
        }
        try {
            Files.createDirectories(dir.resolve("spark-home/jars"));
            if (port == 0) port = freePort();
            StandaloneCluster c = new StandaloneCluster("spark://127.0.0.1:" + port, workers, coresPerWorker, dir);
            Runtime.getRuntime().addShutdownHook(c.hook);
            c.launch("master.log", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    String.valueOf(port), "--webui-port", String.valueOf(freePort()));
            long end = System.currentTimeMillis() + timeoutMillis;
            while (!listening(port)) {
                if (System.currentTimeMillis() > end || !c.processes.get(0).isAlive()) {
                    c.close();
                    throw new IllegalStateException("StandaloneCluster: the master did not listen on 127.0.0.1:" + port
                            + " within " + timeoutMillis + " ms; see " + dir.resolve("master.log"));
                }
                Thread.sleep(100);
            }
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(dir.resolve("work-" + i));
                c.launch("worker-" + i + ".log", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", String.valueOf(coresPerWorker), "--memory", "1g", "--webui-port", "0",
                        "--work-dir", work.toString(), c.masterUrl);
            }
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("StandaloneCluster: cannot start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("StandaloneCluster: interrupted while starting", e);
        }
    }

    private void launch(String log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", dir.resolve("spark-home").toString());
        env.put("SPARK_SCALA_VERSION", "2.12");
        env.put("SPARK_DIST_CLASSPATH", System.getProperty("java.class.path"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        processes.add(pb.start());
    }

    /**
     * The course's {@link SparkContexts#conf} for this cluster, waiting at start-up until every worker's executor has
     * registered (so a barrier stage sees all slots), with {@code spark.cores.max} = workers × cores.
     */
    public SparkConf conf(String appName) {
        return SparkContexts.conf(masterUrl, appName)
                .set("spark.cores.max", String.valueOf(workers * coresPerWorker))
                .set("spark.executor.cores", String.valueOf(coresPerWorker))
                .set("spark.executor.memory", "768m")
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s")
                .set("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Djava.io.tmpdir="
                        + System.getProperty("java.io.tmpdir"));
    }

    /**
     * {@code ./course spark-cluster start}: starts a master on 127.0.0.1:{@code port} and {@code workers} workers of one
     * core each, prints the master URL, and keeps them up until this JVM is stopped (SIGTERM: the shutdown hook stops
     * them). Arguments: DIR [PORT (7077)] [WORKERS (2)].
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            throw new IllegalArgumentException("StandaloneCluster: expected DIR [PORT] [WORKERS], got no argument");
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 7077;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        StandaloneCluster c = start(workers, 1, Path.of(args[0]), 60_000, port);
        System.out.println("Spark standalone cluster up: master " + c.masterUrl() + ", " + workers
                + " workers of 1 core (logs in " + args[0] + ")");
        System.out.flush();
        while (true) {
            synchronized (c) { // close() (the shutdown hook) empties the list under the same lock
                for (Process p : c.processes) {
                    if (!p.isAlive()) {
                        c.close();
                        throw new IllegalStateException("StandaloneCluster: a cluster process exited; see the logs in "
                                + args[0]);
                    }
                }
            }
            Thread.sleep(1000);
        }
    }

    /** "spark://127.0.0.1:PORT". */
    public String masterUrl() {
        return masterUrl;
    }

    /** Kills the workers, then the master, and waits for them to exit (idempotent). */
    @Override
    public synchronized void close() {
        for (int i = processes.size() - 1; i >= 0; i--) processes.get(i).destroy();
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down: this is the hook
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
