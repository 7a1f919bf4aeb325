package org.bigmodels.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.engine.Ops;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Batch;
import org.bigmodels.train.TrainConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * DL4J's ParallelWrapper against parameter averaging computed by hand: each worker's step is a plain
 * {@code clone().fit(batch)} of DL4J itself (one worker, no ParallelWrapper), and the averages are taken here. Also
 * checks what DL4J does at the edges (rounds after the last averaging, a partial last round), the course's
 * all-reduce trainer as a second reference (k = 1 with SGD is synchronous SGD), and the refusals of bad settings.
 * Double precision: only the order of the sums differs, so the tolerance is tight.
 */
class ParallelWrapperTrainerTest {
    static final long[] SIZES = {6, 8, 5, 3};
    static final int B = 4, EXAMPLES = 64;
    static final double LR = 0.3, TOL = 1e-9;
    static final INDArray X = Nd4j.createFromArray(new java.util.Random(11).doubles((long) EXAMPLES * SIZES[0], -1, 1)
            .toArray()).reshape('c', EXAMPLES, SIZES[0]);
    static final INDArray Y = Nd4j.createFromArray(java.util.stream.IntStream.range(0, EXAMPLES)
            .map(i -> (i * 7 + i / 5) % 3).toArray());

    static MLP mlp() {
        return new MLP(SIZES, Activation.TANH, DataType.DOUBLE, 7);
    }

    static MultiLayerNetwork net(IUpdater updater) {
        return Dl4jBridge.toMultiLayerNetwork(mlp(), updater);
    }

    /** Rank r of W, step s: the B rows starting at (s·W + r)·B. */
    static final DataParallelTrainer.ShardSource CONTIGUOUS = (rank, w) -> step -> {
        long from = (long) (step * w + rank) * B;
        return new Batch(X.get(NDArrayIndex.interval(from, from + B), NDArrayIndex.all()).dup('c'),
                Y.get(NDArrayIndex.interval(from, from + B)).dup());
    };

    /** The i-th minibatch of the stream ParallelWrapper reads (worker i mod W of round i / W for any W). */
    static DataSet batch(int i) {
        return new RoundRobinShardIterator(CONTIGUOUS, 1, i, 1, 3, (int) SIZES[0], B).next();
    }

    /** The first n minibatches, as one iterator. */
    static RoundRobinShardIterator stream(int n) {
        return new RoundRobinShardIterator(CONTIGUOUS, 1, 0, n, 3, (int) SIZES[0], B);
    }

    /** One plain DL4J step of a copy (parameters and updater state) of {@code from} on {@code data}. */
    static MultiLayerNetwork step(MultiLayerNetwork from, DataSet data) {
        MultiLayerNetwork copy = from.clone();
        copy.fit(data);
        return copy;
    }

    /** The replicas' mean parameters and mean updater state, in a copy of the first. */
    static MultiLayerNetwork average(List<MultiLayerNetwork> replicas) {
        MultiLayerNetwork out = replicas.get(0).clone();
        INDArray p = Nd4j.zeros(out.params().dataType(), out.params().shape());
        for (MultiLayerNetwork r : replicas) p.addi(r.params());
        out.setParams(p.divi(replicas.size()));
        INDArray state = out.getUpdater().getStateViewArray();
        if (state != null && state.length() > 0) {
            INDArray s = Nd4j.zerosLike(state);
            for (MultiLayerNetwork r : replicas) s.addi(r.getUpdater().getStateViewArray());
            state.assign(s.divi(replicas.size()));
        }
        return out;
    }

    static double relErr(INDArray got, INDArray want) {
        double scale = Math.max(want.amaxNumber().doubleValue(), 1e-300);
        return got.sub(want).amaxNumber().doubleValue() / scale;
    }

    static void assertSameParams(MultiLayerNetwork want, MultiLayerNetwork got, String what) {
        double err = relErr(got.params(), want.params());
        assertTrue(err < TOL, what + ": max relative difference " + err);
    }

    @Test
    void averagingEveryRoundIsTheMeanOfTheWorkersSteps() {
        MultiLayerNetwork start = net(new Sgd(LR));
        // by hand: two rounds; each worker takes one step from the common weights, then the weights are averaged
        MultiLayerNetwork ref = start.clone();
        for (int round = 0; round < 2; round++) {
            ref = average(List.of(step(ref, batch(2 * round)), step(ref, batch(2 * round + 1))));
        }
        MultiLayerNetwork pw = start.clone();
        var stats = new ParallelWrapperTrainer(2, 1).fitEpoch(pw, stream(4));
        assertSameParams(ref, pw, "ParallelWrapper(W=2, k=1) vs the hand-computed average of single-worker steps");
        assertEquals(2, stats.averagings());
        assertEquals(4, stats.dataSets());
        assertEquals(0, stats.unaveragedRounds());
        // and, with SGD, the average of the two half-batch steps is one step on the whole batch (means of means)
        MultiLayerNetwork whole = start.clone();
        for (int round = 0; round < 2; round++) whole.fit(DataSet.merge(List.of(batch(2 * round), batch(2 * round + 1))));
        assertSameParams(whole, pw, "W=2, k=1 vs one worker on the concatenated batch (SGD)");
        // a test that can fail: not averaging (worker 0 alone) is far from it
        MultiLayerNetwork alone = start.clone();
        alone.fit(batch(0));
        alone.fit(batch(2));
        assertTrue(relErr(alone.params(), pw.params()) > 1e-3, "the check must tell averaging from no averaging");
    }

    @Test
    void averagingAlsoAveragesTheUpdaterState() {
        MultiLayerNetwork start = net(new Nesterovs(0.1, 0.9));
        MultiLayerNetwork ref = start.clone();
        for (int round = 0; round < 3; round++) {
            ref = average(List.of(step(ref, batch(2 * round)), step(ref, batch(2 * round + 1))));
        }
        MultiLayerNetwork pw = start.clone();
        new ParallelWrapperTrainer(2, 1).fitEpoch(pw, stream(6));
        assertSameParams(ref, pw, "Nesterov momentum, W=2, k=1: parameters and velocities averaged every round");
    }

    @Test
    void averagingEveryKRoundsIsLocalSgd() {
        MultiLayerNetwork start = net(new Sgd(LR));
        // k = 2: each worker takes two steps on its own batches (0, 2 and 1, 3), then the two are averaged
        MultiLayerNetwork w0 = step(step(start, batch(0)), batch(2));
        MultiLayerNetwork w1 = step(step(start, batch(1)), batch(3));
        MultiLayerNetwork pw = start.clone();
        var stats = new ParallelWrapperTrainer(2, 2).fitEpoch(pw, stream(4));
        assertSameParams(average(List.of(w0, w1)), pw, "W=2, k=2: two local steps per worker, then the average");
        assertEquals(1, stats.averagings());
        // k = 3 > 2 rounds: no averaging happens; the network is worker 0's replica and worker 1's work is dropped
        MultiLayerNetwork pw3 = start.clone();
        var stats3 = new ParallelWrapperTrainer(2, 3).fitEpoch(pw3, stream(4));
        assertSameParams(w0, pw3, "W=2, k=3 over 2 rounds: the result is worker 0's replica alone");
        assertEquals(0, stats3.averagings());
        assertEquals(2, stats3.unaveragedRounds());
    }

    @Test
    void aPartialLastRoundTrainsAndAveragesOnlyTheWorkersItReaches() {
        MultiLayerNetwork start = net(new Sgd(LR));
        MultiLayerNetwork ref = average(List.of(step(start, batch(0)), step(start, batch(1))));
        ref = step(ref, batch(2)); // round 2 has one minibatch: worker 0 trains on it, the "average" is worker 0's
        MultiLayerNetwork pw = start.clone();
        var stats = new ParallelWrapperTrainer(2, 1).fitEpoch(pw, stream(3));
        assertSameParams(ref, pw, "3 minibatches on W=2, k=1");
        assertEquals(2, stats.rounds());
        assertEquals(3, stats.dataSets());
    }

    @Test
    void oneWorkerIsPlainFit() {
        MultiLayerNetwork start = net(new Sgd(LR));
        MultiLayerNetwork ref = start.clone();
        for (int i = 0; i < 3; i++) ref = step(ref, batch(i));
        MultiLayerNetwork one = start.clone();
        var stats = new ParallelWrapperTrainer(1, 1).fitEpoch(one, stream(3));
        assertSameParams(ref, one, "W=1: three sequential steps");
        assertEquals(3, stats.rounds());
        assertEquals(0, stats.averagings());
    }

    @Test
    void averagingEveryRoundMatchesTheCoursesAllReduceTrainer() {
        int steps = 3;
        var ddp = new DataParallelTrainer<MLP>(r -> mlp(), m -> new SGD(m.parameters(), LR),
                (m, b) -> Ops.crossEntropy(m.forward(b.x()), b.y()),
                TrainConfig.defaults().withProgress(false).withSeed(5), DataParallelTrainer.naive());
        MLP course = ddp.fitSteps(2, 20_000, steps, CONTIGUOUS).get(0).model();
        MultiLayerNetwork pw = net(new Sgd(LR));
        new ParallelWrapperTrainer(2, 1).fitEpoch(pw,
                new RoundRobinShardIterator(CONTIGUOUS, 2, 0, steps, 3, (int) SIZES[0], B));
        MultiLayerNetwork courseAsDl4j = Dl4jBridge.toMultiLayerNetwork(course);
        assertSameParams(courseAsDl4j, pw, "DL4J ParallelWrapper (k=1) vs the course's all-reduce DataParallelTrainer");
    }

    @Test
    void fitReportsEpochsAndAccuracy() {
        MultiLayerNetwork pw = net(new Sgd(LR));
        IntFunction<org.nd4j.linalg.dataset.api.iterator.DataSetIterator> epochs =
                e -> RoundRobinShardIterator.epoch(X, Y, 3, B, 3, 2, e);
        var run = new ParallelWrapperTrainer(2, 2).fit(pw, 2, epochs, X, Y.toIntVector());
        assertEquals(2, run.epochs().size());
        int rounds = RoundRobinShardIterator.stepsPerEpoch(EXAMPLES, 2, B);
        for (var e : run.epochs()) {
            assertEquals(2 * rounds, e.dataSets());
            assertEquals(rounds / 2, e.averagings());
            assertTrue(e.wallSeconds() > 0);
        }
        int correct = 0;
        int[] predicted = pw.predict(X);
        int[] y = Y.toIntVector();
        for (int i = 0; i < y.length; i++) if (predicted[i] == y[i]) correct++;
        assertEquals(correct / (double) y.length, run.accuracy(), 1e-12);
        assertEquals(Math.sqrt(run.accuracy() * (1 - run.accuracy()) / EXAMPLES), run.standardError(), 1e-12);
    }

    @Test
    void badSettingsAreRefusedClearly() {
        var noWorkers = assertThrows(IllegalArgumentException.class, () -> new ParallelWrapperTrainer(0, 1));
        assertTrue(noWorkers.getMessage().contains("at least 1 worker, got 0"), noWorkers.getMessage());
        var freq0 = assertThrows(IllegalArgumentException.class, () -> new ParallelWrapperTrainer(2, 0));
        assertTrue(freq0.getMessage().contains("averaging frequency of at least 1") && freq0.getMessage().contains("got 0"),
                freq0.getMessage());
        var prefetch = assertThrows(IllegalArgumentException.class, () -> new ParallelWrapperTrainer(2, 1).withPrefetch(-1));
        assertTrue(prefetch.getMessage().contains("got -1"), prefetch.getMessage());
        var custom = assertThrows(IllegalArgumentException.class,
                () -> new ParallelWrapperTrainer(2, 1).withMode(ParallelWrapper.TrainingMode.CUSTOM));
        assertTrue(custom.getMessage().contains("CUSTOM"), custom.getMessage());
        var empty = new RoundRobinShardIterator(CONTIGUOUS, 1, 0, 1, 3, (int) SIZES[0], B);
        empty.next();
        // exhausted but resettable: trained again from the start, not refused
        assertEquals(1, new ParallelWrapperTrainer(1, 1).fitEpoch(net(new Sgd(LR)), empty).dataSets());
        var badIter = assertThrows(IllegalArgumentException.class,
                () -> new RoundRobinShardIterator(CONTIGUOUS, 0, 0, 1, 3, 6, B));
        assertTrue(badIter.getMessage().contains("worldSize=0"), badIter.getMessage());
    }

    @Test
    void theIteratorDealsEachRanksBatchesInRoundOrder() {
        int w = 2, epoch = 1;
        var it = RoundRobinShardIterator.epoch(X, Y, 3, 5, 9, w, epoch);
        int steps = RoundRobinShardIterator.stepsPerEpoch(EXAMPLES, w, 5);
        List<IntFunction<Batch>> ranks = new ArrayList<>();
        for (int r = 0; r < w; r++) ranks.add(DataParallelTrainer.ShardSource.sampled(X, Y, 5, 9).forRank(r, w));
        int n = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            Batch want = ranks.get(n % w).apply(epoch * steps + n / w);
            assertEquals(0, relErr(ds.getFeatures(), want.x()), "features of data set " + n);
            int[] y = want.y().toIntVector();
            for (int i = 0; i < y.length; i++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(c == y[i] ? 1.0 : 0.0, ds.getLabels().getDouble(i, c), "one-hot label " + i + "," + c);
                }
            }
            n++;
        }
        assertEquals(w * steps, n);
        assertThrows(java.util.NoSuchElementException.class, it::next);
        it.reset();
        assertTrue(it.hasNext());
    }
}
