package org.bigmodels.comm;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts N worker JVMs on this machine, like {@code torchrun --nproc-per-node N}: the same Java, the same classpath,
 * the same main class and arguments, each told its rank, the world size and the rendezvous port (system properties
 * {@code bigmodels.rank}, {@code bigmodels.world}, {@code bigmodels.port}, {@code bigmodels.timeoutMillis}, and the
 * torchrun-style environment variables RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT). It waits for all of
 * them, collects each one's exit code and output (stdout and stderr together), and kills them all when the time-out
 * passes, so a run never hangs.
 *
 * <p>A worker's main is typically {@code Launcher.worker(comm -> { ... })}: it joins the group with
 * {@link SocketCommunicator#fromEnvironment()}, runs the code, and on an exception tells the peers (ABORT), prints
 * the error and exits with status 1.
 */
public final class Launcher {
    /** Default time-out of a whole run, in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 120_000;
    /** JVM options given to every worker unless the caller gives its own: small heap, quick start. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx1g", "-XX:+UseSerialGC",
            "-Djava.awt.headless=true", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    private Launcher() {}

    /**
     * The options that make JavaCPP load a system OpenBLAS (set by {@code ./course}, README "BLAS"), passed on to the
     * workers when this JVM has them, so that every rank runs the same BLAS; none otherwise.
     */
    static List<String> nativeLibraryArgs() {
        if (!"true".equals(System.getProperty("org.bytedeco.javacpp.pathsFirst"))) {
            return List.of();
        }
        return List.of("-Dorg.bytedeco.javacpp.pathsFirst=true",
                "-Djava.library.path=" + System.getProperty("java.library.path", ""));
    }

    /**
     * What the N processes did.
     *
     * @param exitCodes     exit status per rank (-1 when killed at the time-out)
     * @param outputs       stdout and stderr of each rank, as text
     * @param timedOut      true when the time-out passed and the workers were killed
     * @param elapsedMillis wall time of the whole run, ms
     */
    public record Result(int[] exitCodes, String[] outputs, boolean timedOut, long elapsedMillis) {
        /** True when every worker exited with status 0 before the time-out. */
        public boolean ok() {
            return !timedOut && Arrays.stream(exitCodes).allMatch(c -> c == 0);
        }

        /** A readable summary: exit code and the last lines of output of every rank. */
        public String describe() {
            StringBuilder b = new StringBuilder("launch of " + exitCodes.length + " workers" + (timedOut
                    ? " TIMED OUT" : "") + " in " + elapsedMillis + " ms\n");
            for (int r = 0; r < exitCodes.length; r++) {
                String[] lines = outputs[r].split("\n");
                String tail = String.join("\n    ", Arrays.copyOfRange(lines, Math.max(0, lines.length - 8), lines.length));
                b.append("  rank ").append(r).append(" exit ").append(exitCodes[r]).append(":\n    ").append(tail)
                        .append('\n');
            }
            return b.toString();
        }
    }

    /**
     * The class path the worker JVMs get: this JVM's {@code java.class.path}, plus the entries of the environment
     * variable {@code RJK_CLASSPATH} (';'-separated) that it lacks. In a notebook the course's Jupyter kernel (JShell)
     * loads the library from {@code RJK_CLASSPATH}, which its own {@code java.class.path} does not list, so without
     * them a worker could not find the library.
     */
    public static String classpath() {
        java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
        String own = System.getProperty("java.class.path", "");
        for (String e : own.split(java.io.File.pathSeparator)) if (!e.isBlank()) entries.add(e);
        String kernel = System.getenv("RJK_CLASSPATH");
        if (kernel != null) {
            for (String e : kernel.split(";")) if (!e.isBlank()) entries.add(e);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** {@link #run(int, long, List, Class, String...)} with the default time-out and JVM options. */
    public static Result run(int worldSize, Class<?> mainClass, String... args) {
        return run(worldSize, DEFAULT_TIMEOUT_MILLIS, DEFAULT_JVM_ARGS, mainClass, args);
    }

    /**
     * Starts {@code worldSize} JVMs running {@code mainClass.main(args)} and waits for them.
     *
     * @param worldSize     number of worker processes, at least 1
     * @param timeoutMillis longest run, ms; then every worker is killed; also each worker's receive time-out
     * @param jvmArgs       options for every worker JVM (e.g. {@link #DEFAULT_JVM_ARGS})
     * @throws IllegalArgumentException for a world size below 1 or a time-out not positive
     * @throws UncheckedIOException     when a JVM cannot be started
     */
    public static Result run(int worldSize, long timeoutMillis, List<String> jvmArgs, Class<?> mainClass,
            String... args) {
        AbstractCommunicator.checkGroup(0, worldSize);
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("Launcher.run: expected a time-out > 0 ms, got " + timeoutMillis);
        }
        long start = System.currentTimeMillis();
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = classpath();
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int r = 0; r < worldSize; r++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(jvmArgs);
                cmd.addAll(nativeLibraryArgs());
                cmd.add("-D" + SocketCommunicator.RANK_PROPERTY + "=" + r);
                cmd.add("-D" + SocketCommunicator.WORLD_PROPERTY + "=" + worldSize);
                cmd.add("-D" + SocketCommunicator.PORT_PROPERTY + "=" + port);
                cmd.add("-D" + SocketCommunicator.TIMEOUT_PROPERTY + "=" + timeoutMillis);
                cmd.add("-cp");
                cmd.add(classpath);
                cmd.add(mainClass.getName());
                cmd.addAll(List.of(args));
                Path log = Files.createTempFile("bigmodels-rank" + r + "-", ".log");
                logs.add(log);
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                Map<String, String> env = pb.environment();
                env.put("RANK", String.valueOf(r));
                env.put("WORLD_SIZE", String.valueOf(worldSize));
                env.put("MASTER_ADDR", "127.0.0.1");
                env.put("MASTER_PORT", String.valueOf(port));
                processes.add(pb.start());
            }
            boolean timedOut = false;
            long deadline = start + timeoutMillis;
            for (Process p : processes) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || !p.waitFor(left, TimeUnit.MILLISECONDS)) {
                    timedOut = true;
                    break;
                }
            }
            int[] codes = new int[worldSize];
            for (int r = 0; r < worldSize; r++) {
                Process p = processes.get(r);
                if (p.isAlive()) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    codes[r] = -1;
                } else {
                    codes[r] = p.exitValue();
                }
            }
            String[] outputs = new String[worldSize];
            for (int r = 0; r < worldSize; r++) {
                outputs[r] = Files.readString(logs.get(r), StandardCharsets.UTF_8);
            }
            return new Result(codes, outputs, timedOut, System.currentTimeMillis() - start);
        } catch (IOException e) {
            throw new UncheckedIOException("Launcher.run: cannot start or read a worker JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationException("Launcher.run: interrupted while waiting for the workers", e);
        } finally {
            processes.forEach(p -> {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            });
            logs.forEach(l -> l.toFile().delete());
        }
    }

    /**
     * The body of a worker's main: joins the group ({@link SocketCommunicator#fromEnvironment()}), runs {@code task},
     * closes the communicator and returns the result. When {@code task} throws, the peers are told (ABORT), the
     * error is printed as "rank r failed: ..." and the JVM exits with status 1.
     */
    public static <T> T worker(WorkerThreads.Task<T> task) {
        SocketCommunicator comm;
        try {
            comm = SocketCommunicator.fromEnvironment();
        } catch (RuntimeException e) {
            System.err.println("rank " + System.getProperty(SocketCommunicator.RANK_PROPERTY) + " failed to join: " + e);
            e.printStackTrace();
            System.exit(1);
            return null;
        }
        try {
            T result = task.call(comm);
            comm.close();
            return result;
        } catch (Throwable e) {
            comm.abort(e);
            PrintStream err = System.err;
            err.println("rank " + comm.rank() + " failed: " + e);
            e.printStackTrace(err);
            err.flush();
            System.exit(1);
            return null;
        }
    }

    /** A TCP port free on 127.0.0.1 right now (the OS's choice; a tiny race remains until rank 0 binds it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, SocketCommunicator.loopback())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Launcher: no free loopback port: " + e.getMessage(), e);
        }
    }

}
