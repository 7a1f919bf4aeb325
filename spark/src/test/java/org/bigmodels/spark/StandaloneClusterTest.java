package org.bigmodels.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The way a user runs a job on a cluster: a standalone cluster on loopback (a master and two worker processes from
 * the Maven jars, started and stopped here), the application jar submitted with {@code spark-submit} (Spark's
 * {@code org.apache.spark.deploy.SparkSubmit} main class, run from the Maven class path, client mode, as
 * {@code ./course spark-submit} does), and the weights it writes compared with the same job's on local[2].
 */
class StandaloneClusterTest {

    @Test
    @Timeout(value = 300)
    void sparkSubmitToStandaloneClusterGivesTheLocalWeights() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "spark-cluster");
        int steps = 3;
        try (JavaSparkContext sc = SparkContexts.local(2)) {
            SparkTrainJob.run(sc, steps, dir.resolve("local"));
        }
        Path appJar = appJar(dir.resolve("bigmodels-spark-app.jar"));
        try (StandaloneCluster cluster = StandaloneCluster.start(2, 1, dir, 60_000)) {
            List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx1g"));
            cmd.addAll(sparkJvmFlags());
            cmd.addAll(List.of("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                    "-cp", dependencyClassPath(), "org.apache.spark.deploy.SparkSubmit",
                    "--master", cluster.masterUrl(), "--deploy-mode", "client",
                    "--class", SparkTrainJob.class.getName(),
                    "--total-executor-cores", "2", "--executor-cores", "1", "--executor-memory", "768m",
                    "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                    "--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Djava.io.tmpdir="
                            + System.getProperty("java.io.tmpdir"),
                    appJar.toString(), "--steps", String.valueOf(steps), "--out", dir.resolve("cluster").toString()));
            Path log = dir.resolve("spark-submit.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            Process p = pb.start();
            try {
                assertTrue(p.waitFor(240, TimeUnit.SECONDS), "spark-submit did not finish in 240 s; see " + log);
            } finally {
                if (p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), "spark-submit failed; its output:\n" + tail(out));
            assertTrue(out.matches("(?s).*SparkTrainJob: 3 steps on spark://127\\.0\\.0\\.1:\\d+, 2 partitions; "
                    + "executors \\[\\d+, \\d+\\].*"), "the job should have run on the cluster with two executors:\n"
                    + tail(out));
        }
        for (String trainer : List.of("sync", "barrier")) {
            float[] local = SparkTrainJob.readWeights(dir.resolve("local").resolve(trainer + ".weights"));
            float[] cluster = SparkTrainJob.readWeights(dir.resolve("cluster").resolve(trainer + ".weights"));
            SparkLocalTest.assertClose(local, cluster, trainer + " trainer: spark-submit to the standalone cluster vs local[2]");
        }
        try (Stream<Path> files = Files.walk(dir)) { // logs and work folders, kept only when the test fails
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** The spark module's classes as the application jar (what {@code mvn -pl spark package} builds). */
    static Path appJar(Path jar) throws IOException {
        Path classes = Path.of(SparkTrainJob.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        if (Files.isRegularFile(classes)) return classes; // already a jar
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        return jar;
    }

    /** This JVM's class path without the spark module's own classes: the application comes from its jar. */
    static String dependencyClassPath() {
        String self = Path.of(SparkTrainJob.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).toString().equals(self) && !e.contains("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The --add-exports / --add-opens flags this JVM got (a Spark driver on Java 17 needs them). */
    static List<String> sparkJvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-exports") || a.startsWith("--add-opens")).toList();
    }

    static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
}
