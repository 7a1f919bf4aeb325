package org.bigmodels.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.TrainConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Time per training step of the three ways to train on Spark {@code local[2]} (lesson 11), beside lesson 05's
 * in-process DDP on two threads, same MLP, same data: driver-centric synchronous SGD (split into the longest task's
 * compute and the Spark overhead: job scheduling, closure and broadcast, result through the driver), the barrier
 * stage's DDP (split into compute and all-reduce; its one-off start-up: task launch and the allGather rendezvous)
 * and DL4J's parameter averaging at frequency 1 (per averaging round). Medians over the timed steps.
 *
 * <p>Under {@code spark-submit} it runs on the submitted master (spark.master). {@code ./course bench spark [--steps N] [--hidden H] [--batch B]} (defaults 30, 256, 64 per partition).
 */
public final class SparkStepBenchmark {
    private SparkStepBenchmark() {
    }

    public static void main(String[] args) {
        int steps = 30, hidden = 256, batch = 64, warm = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("Usage: ./course bench spark [--steps N (30)] [--hidden H (256)] [--batch B (64, per partition)]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see --help");
            }
        }
        MlpSpec spec = new MlpSpec(new long[]{784, hidden, 10}, 1);
        List<List<SparkBatch>> shards = shards(2, 4, batch, 784, 10, 3);
        System.out.printf("Spark local[2], MLP 784-%d-10 (%d parameters), %d examples per partition and step, %d timed "
                + "steps after %d warm-up%n", hidden, spec.build().parameterCount(), batch, steps, warm);
        double inProc = inProcess(spec, shards, steps + warm, warm);
        // spark-submit sets spark.master; run directly, it is local[2]
        String master = System.getProperty("spark.master", "local[2]");
        try (JavaSparkContext sc = new JavaSparkContext(SparkContexts.conf(master, "bigmodels-spark-step-benchmark"))) {
            JavaRDD<SparkBatch> rdd = rdd(sc, shards).cache();
            rdd.count();
            var sync = new SparkSyncSgd<>(sc, spec, 0.05).fit(rdd, steps + warm);
            double syncStep = median(tail(sync.stepMillis(), warm)), syncCompute = median(tail(sync.computeMillis(), warm));
            var bar = new SparkBarrierDdp<>(sc, spec, 0.05, 1 << 20, 60_000).fit(rdd, steps + warm);
            double barStep = median(tail(bar.stepMillis(), warm));
            double barComm = median(tail(bar.commMillis(), warm));
            double barStartup = bar.jobMillis() - Arrays.stream(bar.stepMillis()).sum();
            var dl4j = Dl4jSparkAveraging.fit(sc, spec.build(), 0.05, rdd, batch, 1, 3);
            double dl4jRound = median(tail(dl4j.epochMillis(), 1)) / dl4j.rounds();
            System.out.printf("%-44s %9s %9s %12s %10s%n", "trainer", "ms/step", "compute", "Spark ovh.", "all-reduce");
            System.out.printf("%-44s %9.1f %9s %12s %10s%n", "in-process DDP, 2 threads (lesson 05)", inProc, "", "", "");
            System.out.printf("%-44s %9.1f %9.1f %12.1f %10s%n", "driver-centric sync SGD (treeAggregate)", syncStep,
                    syncCompute, syncStep - syncCompute, "");
            System.out.printf("%-44s %9.1f %9.1f %12s %10.1f%n", "barrier-stage DDP over sockets", barStep,
                    barStep - barComm, String.format("%.0f once", barStartup), barComm);
            System.out.printf("%-44s %9.1f %9s %12s %10s%n", "DL4J parameter averaging, frequency 1", dl4jRound, "", "", "");
            System.out.printf("ratios: driver-centric / barrier DDP = %.1f; barrier DDP / in-process = %.2f; "
                    + "Spark overhead share of a driver-centric step = %.0f%%%n", syncStep / barStep, barStep / inProc,
                    100 * (syncStep - syncCompute) / syncStep);
        }
        // On local[N] Spark 3.5's BarrierTaskContext leaves a non-daemon timer thread ("Barrier task timer for
        // barrier() calls.") that would keep this JVM alive after the table (as in SparkTrainJob)
        System.exit(0);
    }

    static double inProcess(MlpSpec spec, List<List<SparkBatch>> shards, int steps, int warm) {
        DataParallelTrainer<MLP> t = new DataParallelTrainer<>(r -> spec.build(), m -> new SGD(m.parameters(), 0.05),
                spec::loss, TrainConfig.defaults().withProgress(false).withLogEvery(1), DataParallelTrainer.bucketed(1 << 20));
        var rep = t.fitSteps(2, 60_000, steps, (r, w) -> s -> shards.get(r).get(s % shards.get(r).size()).toBatch());
        return median(tail(DdpStepTimes.stepMillis(rep.get(0).history()), warm));
    }

    /** Random inputs with labels from a fixed random linear map: {@code parts} lists of {@code batches} batches. */
    public static List<List<SparkBatch>> shards(int parts, int batches, int rows, int features, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray w = Nd4j.randn(DataType.FLOAT, features, classes);
        List<List<SparkBatch>> out = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            List<SparkBatch> list = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                INDArray x = Nd4j.randn(DataType.FLOAT, rows, features);
                INDArray y = x.mmul(w).argMax(1).castTo(DataType.FLOAT);
                list.add(SparkBatch.of(x, y));
            }
            out.add(list);
        }
        return out;
    }

    /** The shards as an RDD whose partition p holds shards.get(p), in order. */
    public static JavaRDD<SparkBatch> rdd(JavaSparkContext sc, List<List<SparkBatch>> shards) {
        List<SparkBatch> flat = new ArrayList<>();
        int per = shards.get(0).size();
        for (List<SparkBatch> s : shards) {
            if (s.size() != per) throw new IllegalArgumentException("rdd: expected equal shard lengths, got "
                    + s.size() + " and " + per);
            flat.addAll(s);
        }
        return sc.parallelize(flat, shards.size());
    }

    static double[] tail(double[] a, int skip) {
        return Arrays.copyOfRange(a, Math.min(skip, a.length), a.length);
    }

    static double median(double[] a) {
        if (a.length == 0) return Double.NaN;
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
