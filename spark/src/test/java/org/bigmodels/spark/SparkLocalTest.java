package org.bigmodels.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.TrainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Spark trainers on local[2, 4] (2 task slots, up to 4 attempts per task) against the in-process synchronous
 * data-parallel trainer of lesson 05 (two ranks on threads, the same data and order): weights after k steps equal.
 */
@Timeout(value = 240)
class SparkLocalTest {
    static JavaSparkContext sc;
    static final MlpSpec SPEC = new MlpSpec(new long[]{12, 16, 3}, 7);
    static final double LR = 0.1;
    static final int STEPS = 5;
    /** partition p's batches, in order: 3 batches of 8 per partition. */
    static List<List<SparkBatch>> shards;

    @BeforeAll
    static void start() {
        sc = SparkContexts.local(2, 4);
        shards = data(2, 3, 8, 12, 3, 11);
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.close();
    }

    /** Synthetic labelled data: {@code parts} partitions of {@code batches} batches of {@code rows} examples. */
    static List<List<SparkBatch>> data(int parts, int batches, int rows, int features, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        List<List<SparkBatch>> out = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            List<SparkBatch> list = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                INDArray x = Nd4j.randn(DataType.FLOAT, rows, features);
                INDArray y = x.getColumn(0).gt(0.5).castTo(DataType.FLOAT).add(x.getColumn(1).gt(0).castTo(DataType.FLOAT));
                list.add(SparkBatch.of(x, y));
            }
            out.add(list);
        }
        return out;
    }

    static JavaRDD<SparkBatch> rdd(List<List<SparkBatch>> shards) {
        List<SparkBatch> flat = new ArrayList<>();
        shards.forEach(flat::addAll);
        return sc.parallelize(flat, shards.size()); // consecutive slices: partition p = shards.get(p)
    }

    /** The in-process reference: lesson 05's DDP with one thread per shard. */
    static float[] inProcess(List<List<SparkBatch>> shards, int steps) {
        DataParallelTrainer<MLP> t = new DataParallelTrainer<>(r -> SPEC.build(), m -> new SGD(m.parameters(), LR),
                SPEC::loss, TrainConfig.defaults().withProgress(false), DataParallelTrainer.naive());
        var replicas = t.fitSteps(shards.size(), 30_000, steps,
                (r, w) -> s -> shards.get(r).get(s % shards.get(r).size()).toBatch());
        return ParameterVectors.values(replicas.get(0).model());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        float[] start = ParameterVectors.values(SPEC.build());
        double moved = 0, maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            moved = Math.max(moved, Math.abs(expected[i] - start[i]));
        }
        assertTrue(moved > 1e-3, what + ": training did not move the weights (max change " + moved + ")");
        assertTrue(maxDiff < 1e-5, what + ": weights differ from the in-process DDP by up to " + maxDiff
                + " (expected float rounding only, < 1e-5)");
    }

    @Test
    void localSmoke() {
        assertEquals(55, sc.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 2).reduce(Integer::sum));
    }

    @Test
    void driverCentricEqualsInProcessDdp() {
        var r = new SparkSyncSgd<>(sc, SPEC, LR).fit(rdd(shards), STEPS);
        assertClose(inProcess(shards, STEPS), ParameterVectors.values(r.model()), "driver-centric SGD");
        assertTrue(r.losses()[STEPS - 1] < r.losses()[0], "loss should fall");
    }

    @Test
    void retriedTaskLeavesResultUnchanged() {
        var clean = new SparkSyncSgd<>(sc, SPEC, LR).fit(rdd(shards), 3);
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        var listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) failed.incrementAndGet();
            }
        };
        sc.sc().addSparkListener(listener);
        var faulty = new SparkSyncSgd<>(sc, SPEC, LR).failOnFirstAttempt(1, 1).fit(rdd(shards), 3);
        for (int i = 0; i < 50 && failed.get() == 0; i++) sleep(100); // the listener bus is asynchronous
        sc.sc().removeSparkListener(listener);
        assertEquals(1, failed.get(), "the injected failure should fail exactly one task attempt");
        assertArrayEquals(ParameterVectors.values(clean.model()), ParameterVectors.values(faulty.model()),
                "a task retried by Spark must give the same step (tasks are pure functions of weights and step)");
    }

    @Test
    void barrierDdpEqualsInProcessDdp() {
        var r = new SparkBarrierDdp<>(sc, SPEC, LR, 1 << 20, 30_000).fit(rdd(shards), STEPS);
        assertClose(inProcess(shards, STEPS), r.weights(), "barrier-stage DDP");
        assertEquals(STEPS, r.losses().length);
        assertEquals(STEPS, r.commMillis().length, "one all-reduce time per step");
        for (int s = 0; s < STEPS; s++) {
            double comm = r.commMillis()[s], step = r.stepMillis()[s];
            assertTrue(comm > 0 && comm <= step + 1e-6, "step " + s + ": the all-reduce time should be positive and "
                    + "inside the step's wall time, got " + comm + " of " + step + " ms");
        }
    }

    @Test
    void stepTimesGroupCommunicationByStep() {
        long ms = 1_000_000;
        var events = List.of(
                new org.bigmodels.dataparallel.WorkerEvent(0, "compute", "F+B 4", 4, 0, 9 * ms),
                new org.bigmodels.dataparallel.WorkerEvent(0, "comm", "AR 0", 4, 9 * ms, 11 * ms),
                new org.bigmodels.dataparallel.WorkerEvent(0, "wait", "wait", 4, 11 * ms, 12 * ms),
                new org.bigmodels.dataparallel.WorkerEvent(0, "comm", "AR 0", 5, 20 * ms, 25 * ms),
                new org.bigmodels.dataparallel.WorkerEvent(0, "comm", "AR 0", 3, 0, 100 * ms)); // before firstStep
        assertArrayEquals(new double[]{3, 5, 0}, DdpStepTimes.commMillis(events, 4, 3), 1e-9,
                "communication and waiting of global steps 4, 5, 6 (compute and other steps left out)");
        assertThrows(IllegalArgumentException.class, () -> DdpStepTimes.commMillis(events, 0, -1));
    }

    /** Counts failed task attempts and failed stage attempts (Spark's listener bus is asynchronous). */
    static final class FailureCounter extends org.apache.spark.scheduler.SparkListener {
        final java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
        /** "stage S attempt A" of each failed stage attempt (Spark reports a barrier stage once per failed task). */
        final java.util.Set<String> failedStages = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            if (!end.taskInfo().successful()) tasks.incrementAndGet();
        }

        @Override
        public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted done) {
            if (done.stageInfo().failureReason().isDefined()) {
                failedStages.add("stage " + done.stageInfo().stageId() + " attempt " + done.stageInfo().attemptNumber());
            }
        }
    }

    @Test
    void barrierStageRerunResumesFromCheckpoint() throws Exception {
        int steps = 6;
        java.nio.file.Path ckpt = java.nio.file.Files.createTempDirectory(
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), "barrier-ckpt").resolve("ddp.ckpt");
        FailureCounter failures = new FailureCounter();
        sc.sc().addSparkListener(failures);
        SparkBarrierDdp.Result r;
        try {
            // rank 1 throws at the start of step 5 in the stage's first attempt; rank 0 checkpointed after steps 2, 4
            r = new SparkBarrierDdp<>(sc, SPEC, LR, 1 << 20, 30_000).withCheckpoint(ckpt, 2)
                    .failOnFirstAttempt(1, 5).fit(rdd(shards), steps);
            for (int i = 0; i < 50 && failures.failedStages.isEmpty(); i++) sleep(100); // every wait has a time-out
        } finally {
            sc.sc().removeSparkListener(failures);
        }
        assertTrue(failures.tasks.get() >= 1, "the injected failure should fail at least one task attempt, counted "
                + failures.tasks.get());
        assertEquals(1, failures.failedStages.size(), "Spark should have failed the barrier stage's first attempt once: "
                + failures.failedStages);
        assertEquals(1, r.stageAttempt(), "the result should come from the rerun of the whole stage (attempt 1)");
        assertEquals(4, r.resumedFrom(), "the rerun should resume from rank 0's last checkpoint (after step 4), "
                + "not from the start");
        assertTrue(Double.isNaN(r.losses()[3]) && !Double.isNaN(r.losses()[4]), "losses before the resumed step are "
                + "not in the rerun: " + java.util.Arrays.toString(r.losses()));
        assertClose(inProcess(shards, steps), r.weights(), "barrier DDP resumed after a stage rerun");
    }

    /** A spec that holds a live model: Module is not Serializable. */
    record LiveModelSpec(MLP model) implements ModelSpec<MLP> {
        public MLP build() {
            return model;
        }

        public org.bigmodels.engine.Tensor loss(MLP m, org.bigmodels.train.Batch b) {
            return SPEC.loss(m, b);
        }
    }

    @Test
    void badConfigurationsGetClearErrors() {
        var noData = assertThrows(IllegalArgumentException.class,
                () -> new SparkSyncSgd<>(sc, SPEC, LR).fit(sc.parallelize(new ArrayList<SparkBatch>(), 2), 1));
        assertTrue(noData.getMessage().contains("no batch"), noData.getMessage());

        // 3 batches in 4 partitions: one partition is empty
        var few = assertThrows(IllegalArgumentException.class,
                () -> new SparkSyncSgd<>(sc, SPEC, LR).fit(sc.parallelize(shards.get(0), 4), 1));
        assertTrue(few.getMessage().contains("holds no batch") && few.getMessage().contains("coalesce"), few.getMessage());

        // a barrier stage of 3 tasks on 2 slots
        List<List<SparkBatch>> three = List.of(shards.get(0), shards.get(1), shards.get(0));
        var slots = assertThrows(IllegalArgumentException.class,
                () -> new SparkBarrierDdp<>(sc, SPEC, LR, 1 << 20, 10_000).fit(rdd(three), 1));
        assertTrue(slots.getMessage().contains("3 tasks") && slots.getMessage().contains("2 task slots")
                && slots.getMessage().contains("SPARK-24819"), slots.getMessage());

        var live = assertThrows(IllegalArgumentException.class,
                () -> new SparkSyncSgd<>(sc, new LiveModelSpec(SPEC.build()), LR));
        assertTrue(live.getMessage().contains("cannot be serialized") && live.getMessage().contains("MLP"),
                live.getMessage());
    }

    @Test
    void sparksOwnBarrierSlotErrorIsExplained() {
        // bypass the trainer's own check: Spark's scheduler refuses the stage (after 1 check, SparkContexts' setting)
        List<List<SparkBatch>> three = List.of(shards.get(0), shards.get(1), shards.get(0));
        var e = assertThrows(Exception.class, () -> rdd(three).rdd().barrier()
                .mapPartitions(new SparkBarrierDdp.TrainTask<>(SPEC, LR, 1 << 20, 10_000, 1), false,
                        scala.reflect.ClassTag$.MODULE$.apply(Object.class)).count());
        assertTrue(String.valueOf(e.getMessage()).contains("SPARK-24819"), "Spark's own message: " + e.getMessage());
    }

    @Test
    void dl4jParameterAveragingTrains() {
        MLP start = SPEC.build();
        double before = meanLoss(start);
        var r = Dl4jSparkAveraging.fit(sc, start, LR, rdd(shards), 8, 1, 3);
        assertEquals(3, r.scores().length);
        // 2 partitions x 3 batches of 8 = 48 examples; a round takes 2 workers x 8 examples x frequency 1
        assertEquals((int) Math.ceil(48 / (2.0 * 8 * 1)), r.rounds(), "averaging rounds per epoch counted from DL4J");
        // DL4J's per-epoch score is one minibatch's, too noisy to compare; the loss over all the data is not
        double after = meanLoss(org.bigmodels.dl4j.Dl4jBridge.fromMultiLayerNetwork(r.network()));
        assertTrue(after < before, "3 epochs of DL4J parameter averaging should lower the loss over all batches: "
                + before + " -> " + after + " (DL4J's scores " + java.util.Arrays.toString(r.scores()) + ")");
    }

    /** Mean cross-entropy of {@code m} over every batch of every shard (the engine's loss, independent of DL4J). */
    static double meanLoss(MLP m) {
        double sum = 0;
        int n = 0;
        for (List<SparkBatch> shard : shards) {
            for (SparkBatch b : shard) {
                var batch = b.toBatch();
                sum += org.bigmodels.engine.Ops.crossEntropy(m.forward(batch.x()), batch.y()).item();
                n++;
            }
        }
        return sum / n;
    }
}
