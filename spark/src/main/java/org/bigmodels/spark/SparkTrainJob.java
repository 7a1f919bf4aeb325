package org.bigmodels.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A training job to submit with {@code spark-submit} (lesson 11): an MLP 12-16-3 trained on synthetic data in two
 * partitions by both Spark trainers ({@link SparkSyncSgd} and {@link SparkBarrierDdp}), the weights written to files.
 * The master comes from {@code spark-submit --master} (the {@code spark.master} property), so the same jar runs on
 * {@code local[2]}, a standalone cluster, YARN or Kubernetes; the test compares a cluster's files with local[2]'s.
 *
 * <pre>
 * ./course spark-submit --master spark://127.0.0.1:7077 --class org.bigmodels.spark.SparkTrainJob \
 *     spark/target/bigmodels-spark-0.1.0-SNAPSHOT.jar --steps 3 --out /tmp/weights
 * </pre>
 *
 * Arguments: {@code --out DIR} (required: writes {@code DIR/sync.weights} and {@code DIR/barrier.weights}, see
 * {@link #readWeights}; only the trainer's file with {@code --trainer sync|barrier}), {@code --steps N} (default 3). Settings given to spark-submit ({@code --conf}) win over the
 * course's ({@link SparkContexts#conf}); on a master that is not on this machine the driver binds its real address.
 */
public final class SparkTrainJob {
    /** The job's model and data: what {@link #shards()} trains. */
    public static final MlpSpec SPEC = new MlpSpec(new long[]{12, 16, 3}, 7);
    /** SGD learning rate. */
    public static final double LR = 0.1;

    private SparkTrainJob() {
    }

    /** The data: 2 partitions of 3 batches of 8 examples, 12 features, 3 classes (seeded, the same in every JVM). */
    public static List<List<SparkBatch>> shards() {
        return SparkStepBenchmark.shards(2, 3, 8, 12, 3, 11);
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        int steps = 3;
        String trainer = "both";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(value(args, ++i));
                case "--steps" -> steps = Integer.parseInt(value(args, ++i));
                case "--trainer" -> trainer = value(args, ++i);
                default -> throw new IllegalArgumentException("SparkTrainJob: unknown argument '" + args[i]
                        + "'; expected --out DIR [--steps N] [--trainer sync|barrier|both]");
            }
        }
        if (!List.of("sync", "barrier", "both").contains(trainer)) {
            throw new IllegalArgumentException("SparkTrainJob: --trainer expects sync, barrier or both, got " + trainer);
        }
        if (out == null) throw new IllegalArgumentException("SparkTrainJob: expected --out DIR (where to write the weights)");
        SparkConf submitted = new SparkConf(); // spark-submit's --master and --conf arrive as spark.* properties
        String master = submitted.get("spark.master", "local[2]");
        SparkConf conf = SparkContexts.conf(master, "bigmodels-train-job");
        if (!master.startsWith("local") && !master.contains("127.0.0.1") && !master.contains("localhost")) {
            conf.remove("spark.driver.host").remove("spark.driver.bindAddress"); // executors on other hosts call back
        }
        for (scala.Tuple2<String, String> kv : submitted.getAll()) conf.set(kv._1(), kv._2());
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            run(sc, steps, out, !trainer.equals("barrier"), !trainer.equals("sync"));
        }
        // On local[N] the barrier tasks run in this JVM, and Spark 3.5's BarrierTaskContext leaves a non-daemon timer
        // thread ("Barrier task timer for barrier() calls.") that would keep the JVM, and spark-submit, alive.
        System.exit(0);
    }

    /**
     * Trains both trainers for {@code steps} steps on {@link #shards()} and writes {@code dir/sync.weights} and
     * {@code dir/barrier.weights}.
     */
    public static void run(JavaSparkContext sc, int steps, Path dir) throws IOException {
        run(sc, steps, dir, true, true);
    }

    /**
     * Like {@link #run(JavaSparkContext, int, Path)}, one or both trainers. The barrier trainer's sockets bind
     * 127.0.0.1 ({@link SparkBarrierDdp}): on executors spread over several hosts run the sync trainer only.
     */
    public static void run(JavaSparkContext sc, int steps, Path dir, boolean sync, boolean barrier) throws IOException {
        Files.createDirectories(dir);
        JavaRDD<SparkBatch> data = SparkStepBenchmark.rdd(sc, shards());
        if (sync) {
            var r = new SparkSyncSgd<>(sc, SPEC, LR).fit(data, steps);
            writeWeights(dir.resolve("sync.weights"), ParameterVectors.values(r.model()));
        }
        if (barrier) {
            var r = new SparkBarrierDdp<>(sc, SPEC, LR, 1 << 20, 60_000).fit(data, steps);
            writeWeights(dir.resolve("barrier.weights"), r.weights());
        }
        System.out.println("SparkTrainJob: " + steps + " steps on " + sc.master() + ", " + data.getNumPartitions()
                + " partitions; executors " + scala.collection.JavaConverters.seqAsJavaList(sc.sc().getExecutorIds()) + "; weights in " + dir);
    }

    /** Writes the count then the floats (big-endian), atomically (a temporary file, then a rename). */
    public static void writeWeights(Path file, float[] w) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream d = new DataOutputStream(os)) {
            d.writeInt(w.length);
            for (float v : w) d.writeFloat(v);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a file of {@link #writeWeights}. */
    public static float[] readWeights(Path file) throws IOException {
        try (InputStream is = Files.newInputStream(file); DataInputStream d = new DataInputStream(is)) {
            float[] w = new float[d.readInt()];
            for (int i = 0; i < w.length; i++) w[i] = d.readFloat();
            return w;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException("SparkTrainJob: " + args[i - 1] + " needs a value");
        return args[i];
    }
}
