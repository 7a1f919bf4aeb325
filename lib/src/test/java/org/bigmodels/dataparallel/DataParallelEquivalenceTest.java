package org.bigmodels.dataparallel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Batch;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Synchronous data parallelism against its single-worker reference: W workers, each on b examples of a step, with the
 * mean loss and the mean of the gradients, take the step one worker takes on the concatenated W·b examples. Checked
 * on the weights after several steps of SGD with momentum, for every strategy and W = 1..4 (double precision, so the
 * tolerance is tight; only the order of the sums differs).
 */
class DataParallelEquivalenceTest {
    static final long[] SIZES = {5, 7, 6, 3};
    static final int PER_WORKER = 3, STEPS = 4, EXAMPLES = 60;
    static final long TIMEOUT = 20_000;
    static final INDArray X = Nd4j.createFromArray(new java.util.Random(3).doubles((long) EXAMPLES * 5, -1, 1)
            .toArray()).reshape('c', EXAMPLES, 5);
    static final INDArray Y = Nd4j.createFromArray(java.util.stream.IntStream.range(0, EXAMPLES)
            .mapToDouble(i -> (i * 7) % 3).toArray());
    static final TrainConfig CONFIG = TrainConfig.defaults().withProgress(false).withSeed(5);

    static MLP model(int seed) {
        return new MLP(SIZES, Activation.TANH, DataType.DOUBLE, seed);
    }

    static Tensor loss(MLP m, Batch b) {
        return Ops.crossEntropy(m.forward(b.x()), b.y());
    }

    static Batch rows(long from, long to) {
        return new Batch(X.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c'),
                Y.get(NDArrayIndex.interval(from, to)).dup());
    }

    /** Rank r of W, step s: b rows starting at (s·W + r)·b (mod the dataset). */
    static DataParallelTrainer.ShardSource contiguous(int b) {
        return (rank, w) -> step -> {
            long from = ((long) (step * w + rank) * b) % (EXAMPLES - (long) w * b);
            return rows(from, from + b);
        };
    }

    /** The reference: one worker, global batch = the W shards of the step concatenated (in rank order). */
    static MLP reference(int w, int b, int steps) {
        MLP m = model(7);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.2, 0.9, 0), CONFIG);
        IntFunction<Batch> src = step -> {
            long from = ((long) step * w * b) % (EXAMPLES - (long) w * b);
            return rows(from, from + (long) w * b);
        };
        t.fitSteps(steps, src, batch -> loss(m, batch), null);
        return m;
    }

    static List<DataParallelTrainer.Replica<MLP>> run(int w, DataParallelTrainer.Strategy strategy) {
        // every rank initialises differently: the broadcast of rank 0's weights (seed 7) must make them agree
        var dp = new DataParallelTrainer<>(r -> model(7 + 13 * r), m -> new SGD(m.parameters(), 0.2, 0.9, 0),
                DataParallelEquivalenceTest::loss, CONFIG, strategy);
        return dp.fitSteps(w, TIMEOUT, STEPS, contiguous(PER_WORKER));
    }

    static void assertSameWeights(MLP expected, MLP got, double tol, String what) {
        Map<String, Tensor> e = expected.namedParameters();
        got.namedParameters().forEach((name, p) -> {
            double diff = p.value().sub(e.get(name).value()).amaxNumber().doubleValue();
            assertTrue(diff <= tol, what + ": parameter " + name + " differs by " + diff + " from the reference");
        });
    }

    static void checkStrategy(String name, DataParallelTrainer.Strategy strategy) {
        for (int w = 1; w <= 4; w++) {
            MLP ref = reference(w, PER_WORKER, STEPS);
            MLP init = model(7);
            double moved = ref.parameters().get(0).value().sub(init.parameters().get(0).value()).amaxNumber()
                    .doubleValue();
            assertTrue(moved > 1e-3, "the reference must train (moved " + moved + ")");
            var replicas = run(w, strategy);
            for (var r : replicas) {
                assertSameWeights(ref, r.model(), 1e-12, name + " W=" + w + " rank " + r.rank());
                assertSameWeights(replicas.get(0).model(), r.model(), 0.0, name + " W=" + w + " replicas agree, rank "
                        + r.rank());
                assertEquals(STEPS, r.trainer().step());
            }
        }
    }

    @Test
    void naiveEqualsTheConcatenatedBatch() {
        checkStrategy("naive", DataParallelTrainer.naive());
    }

    @Test
    void bucketedEqualsTheConcatenatedBatch() {
        checkStrategy("bucketed", DataParallelTrainer.bucketed(200)); // 200 B: several buckets on this MLP
    }

    @Test
    void bucketedWithSharedMemoryEqualsTheConcatenatedBatch() {
        checkStrategy("bucketed, shared memory", DataParallelTrainer.bucketed(200,
                new org.bigmodels.comm.SharedMemoryAllReduce()));
    }

    @Test
    void overlappedEqualsTheConcatenatedBatch() {
        checkStrategy("overlapped", DataParallelTrainer.overlapped(200));
    }

    @Test
    void accumulationWithoutSyncEqualsTheConcatenatedBatchAndSendsOncePerStep() {
        int w = 2, b = 6, k = 3;
        MLP ref = reference(w, b, STEPS);
        for (var strategy : List.of(DataParallelTrainer.bucketed(200), DataParallelTrainer.overlapped(200))) {
            var ddpHolder = new DataParallel[w];
            var replicas = ThreadCommunicator.run(w, TIMEOUT, comm -> {
                MLP m = model(7);
                DataParallel ddp = strategy.create(comm, m);
                ddpHolder[comm.rank()] = ddp;
                try (ddp) {
                    Trainer t = new Trainer(m, new SGD(m.parameters(), 0.2, 0.9, 0), CONFIG, ddp);
                    t.fitSteps(STEPS, contiguous(b).forRank(comm.rank(), w),
                            GradientAccumulation.of(batch -> loss(m, batch), k, ddp), null);
                    return m;
                }
            });
            for (MLP m : replicas) assertSameWeights(ref, m, 1e-12, "accumulated " + ddpHolder[0].getClass()
                    .getSimpleName());
            int buckets = ((DataParallelBucketed) ddpHolder[0]).bucketLayout().size();
            long allReduces = ddpHolder[0].events().stream()
                    .filter(e -> e.lane().equals(WorkerEvent.COMMUNICATION)).count();
            assertEquals((long) STEPS * buckets, allReduces,
                    "inner micro-steps must not communicate: one all-reduce per bucket per step");
        }
    }

    @Test
    void accumulationAloneEqualsTheWholeBatch() {
        MLP ref = reference(1, 12, STEPS);
        MLP m = model(7);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.2, 0.9, 0), CONFIG);
        t.fitSteps(STEPS, contiguous(12).forRank(0, 1), GradientAccumulation.of(batch -> loss(m, batch), 5, null),
                null);
        assertSameWeights(ref, m, 1e-12, "5 micro-batches of 12 examples");
    }
}
