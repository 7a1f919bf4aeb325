package org.bigmodels.spark;

import java.io.File;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark contexts configured for the course: on loopback, no web UI, scratch files under java.io.tmpdir, Java
 * serialization (plain arrays travel; no Kryo registrator needed), and a barrier stage that asks for more slots than
 * exist fails at once instead of Spark's default of 40 checks 15 s apart (10 minutes).
 *
 * <p>A JVM holds one active SparkContext: stop it ({@code close()}) before making another. On Java 17 the driver JVM
 * needs {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED} (the course kernel, tests and benchmark have it).
 */
public final class SparkContexts {
    private SparkContexts() {
    }

    /**
     * A context on {@code local[threads, maxAttempts]}: one JVM, {@code threads} task slots, each task tried up to
     * {@code maxAttempts} times (plain {@code local[N]} tries once, so a failed task fails the job).
     */
    public static JavaSparkContext local(int threads, int maxAttempts) {
        if (threads < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("SparkContexts.local: expected threads >= 1 and maxAttempts >= 1, got "
                    + threads + ", " + maxAttempts);
        }
        return new JavaSparkContext(conf("local[" + threads + "," + maxAttempts + "]", "bigmodels"));
    }

    /** {@code local[threads]} with one attempt per task. */
    public static JavaSparkContext local(int threads) {
        return local(threads, 1);
    }

    /** The course's settings for any master URL ("local[2]", "spark://127.0.0.1:7077", "yarn", "k8s://..."). */
    public static SparkConf conf(String master, String appName) {
        String tmp = System.getProperty("java.io.tmpdir");
        return new SparkConf()
                .setMaster(master)
                .setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.local.dir", new File(tmp, "bigmodels-spark").getPath())
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1")
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
                // DL4J broadcasts its own parameter array: Spark 3.5's cleaner would close it (SPARK-FACTS)
                .set("spark.cleaner.referenceTracking", "false");
    }
}
