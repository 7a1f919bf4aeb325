package org.bigmodels.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight pruning: exact counts against a plain sort in double, ties, layer-wise vs global, masks held through
 * SGD-with-momentum and AdamW fine-tuning, CSR against plain double loops, Han's threshold, the cubic schedule
 * against equation 1 evaluated by hand, and the errors.
 */
class WeightPruningTest {

    static INDArray rand(long seed, long... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (long s : shape) n *= (int) s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return Nd4j.createFromArray(v).reshape('c', shape);
    }

    static long zeros(INDArray m) {
        long z = 0;
        for (double v : m.dup('c').castTo(DataType.DOUBLE).data().asDouble()) if (v == 0) z++;
        return z;
    }

    @Test
    void maskHasExactlyRoundSnZerosAtTheSmallestMagnitudes() {
        INDArray w = rand(1, 37, 23); // 851 weights: s·n is never an integer below
        double[] v = w.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] sorted = new double[v.length];
        for (int i = 0; i < v.length; i++) sorted[i] = Math.abs(v[i]);
        java.util.Arrays.sort(sorted);
        for (double s : new double[] {0, 0.1, 0.333, 0.5, 0.9, 0.92, 0.999}) {
            INDArray m = MagnitudePruning.mask(w, s);
            long k = Math.round(s * v.length);
            assertEquals(k, zeros(m), "zeros at sparsity " + s);
            double[] mv = m.dup('c').data().asDouble();
            for (int i = 0; i < v.length; i++) {
                // every pruned |w| <= the k-th smallest, every kept one >= it
                if (k > 0 && mv[i] == 0) assertTrue(Math.abs(v[i]) <= sorted[(int) k - 1]);
                if (k > 0 && mv[i] == 1) assertTrue(Math.abs(v[i]) >= sorted[(int) k - 1]);
            }
        }
    }

    @Test
    void tiesArePrunedInIndexOrder() {
        INDArray w = Nd4j.createFromArray(new float[] {0.5f, -0.5f, 0.5f, 2f, -0.5f, 1f});
        // |w| = .5 four times: sparsity 0.5 -> 3 zeros, the first three of the ties (indices 0, 1, 2)
        assertEquals(List.of(0f, 0f, 0f, 1f, 1f, 1f), toList(MagnitudePruning.mask(w, 0.5)));
        INDArray all = Nd4j.ones(DataType.FLOAT, 10);
        assertEquals(3, zeros(MagnitudePruning.mask(all, 0.3)), "all equal: exactly round(s·n), not all or none");
    }

    static List<Float> toList(INDArray a) {
        float[] f = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        Float[] b = new Float[f.length];
        for (int i = 0; i < f.length; i++) b[i] = f[i];
        return List.of(b);
    }

    @Test
    void globalRanksAllLayersTogetherLayerwiseEachAlone() {
        MLP m = MLP.of(20, 30, 10);
        m.parameter("2.weight").value().muli(0.01); // a layer of tiny weights
        List<String> names = List.of("0.weight", "2.weight");
        Map<String, INDArray> g = MagnitudePruning.global(m, names, 0.4);
        long total = 20 * 30 + 30 * 10;
        assertEquals(Math.round(0.4 * total), zeros(g.get("0.weight")) + zeros(g.get("2.weight")));
        assertEquals(300, zeros(g.get("2.weight")), "global pruning removes the tiny layer first");
        Map<String, INDArray> l = MagnitudePruning.layerwise(m, names, 0.4);
        assertEquals(240, zeros(l.get("0.weight")));
        assertEquals(120, zeros(l.get("2.weight")));
        assertEquals(List.of("0.weight", "2.weight"), MagnitudePruning.weightNames(m));
    }

    @Test
    void badArgumentsGetClearErrors() {
        MLP m = MLP.of(4, 3, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.mask(Nd4j.ones(3), 1.0));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.mask(Nd4j.ones(3), -0.1));
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.mask(Nd4j.ones(3), Double.NaN));
        e = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruning.layerwise(m, Map.of("1.weight", 0.5)));
        assertTrue(e.getMessage().contains("'1.weight'") && e.getMessage().contains("0.weight"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.global(m, List.of("nope"), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new PruningMasks(m).set("0.weight", Nd4j.ones(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new CubicSparsitySchedule(0, 1.0, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new IterativePruning(new PruningMasks(m), Map.of("0.weight", -1.0), 2));
        // s < 1 but round(s*n) = n would remove every weight: refused like s = 1 (adversarial review)
        e = assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.mask(Nd4j.createFromArray(1f, 2f), 0.99));
        assertTrue(e.getMessage().contains("removing all 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruning.global(m, List.of("0.weight"), 0.99));
        // a mask is 0 or 1: 0.5 would report pruned weights that are not zero, NaN would poison every weight
        e = assertThrows(IllegalArgumentException.class,
                () -> new PruningMasks(m).set("0.weight", Nd4j.ones(4, 3).muli(0.5)));
        assertTrue(e.getMessage().contains("0 (pruned) or 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new PruningMasks(m).set("0.weight", Nd4j.ones(4, 3).muli(Double.NaN)));
        // sigma = 0: Han's q*sigma threshold is undefined (was Infinity on ones, NaN on zeros)
        e = assertThrows(IllegalArgumentException.class, () -> IterativePruning.qualityFor(Nd4j.ones(3, 3), 0.5));
        assertTrue(e.getMessage().contains("standard deviation"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.qualityFor(Nd4j.zeros(3, 3), 0.5));
        // the last pruning step must fit the int step counter
        assertThrows(IllegalArgumentException.class, () -> new CubicSparsitySchedule(0, 0.9, 0, 100_000, 100_000));
    }

    /** Fine-tunes a pruned MLP for some steps and checks every pruned weight is still exactly zero after each. */
    void masksHoldThrough(java.util.function.Function<MLP, Optimizer> make) {
        MLP m = MLP.of(12, 16, 4);
        INDArray x = rand(7, 32, 12);
        INDArray y = Nd4j.createFromArray(new Random(8).ints(32, 0, 4).asDoubleStream().toArray()).castTo(DataType.FLOAT);
        Optimizer opt = make.apply(m);
        // a few dense steps first, so momentum / Adam moments are nonzero on the weights about to be pruned
        for (int i = 0; i < 5; i++) {
            opt.zeroGrad();
            Ops.crossEntropy(m.forward(x), y).backward();
            opt.step();
        }
        PruningMasks masks = new PruningMasks(m, MagnitudePruning.layerwise(m, List.of("0.weight", "2.weight"), 0.7));
        masks.apply();
        MaskedOptimizer masked = new MaskedOptimizer(opt, masks);
        INDArray keptBefore = m.parameter("0.weight").value().dup();
        new Trainer(m, masked, TrainConfig.defaults().withProgress(false))
                .fitSteps(20, s -> new org.bigmodels.train.Batch(x, y), b -> Ops.crossEntropy(m.forward(b.x()), b.y()), null);
        for (String n : masks.names()) {
            assertEquals(masks.pruned(n), masks.zerosInWeights(n), n + ": a pruned weight came back to life");
        }
        assertTrue(m.parameter("0.weight").value().sub(keptBefore).amaxNumber().doubleValue() > 0, "kept weights train");
        // the control: the same optimizer unwrapped does revive them (so the test can fail)
        masks.apply();
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            Ops.crossEntropy(m.forward(x), y).backward();
            opt.step();
        }
        assertTrue(masks.zerosInWeights("0.weight") < masks.pruned("0.weight"), "without the mask they revive");
    }

    @Test
    void masksHoldThroughSgdWithMomentum() {
        masksHoldThrough(m -> new SGD(m.parameters(), 0.1, 0.9, 1e-4));
    }

    @Test
    void masksHoldThroughAdamWWithWeightDecay() {
        masksHoldThrough(m -> Adam.adamW(m.parameters(), 1e-2, 0.1));
    }

    @Test
    void csrTimesEqualsPlainDoubleLoopOnTheMaskedWeights() {
        INDArray w = rand(3, 50, 17);
        w.muli(MagnitudePruning.mask(w, 0.8));
        CsrMatrix csr = CsrMatrix.of(w);
        assertEquals(Math.round(0.8 * 850), 850 - csr.nnz());
        assertEquals(csr.nnz() * 8L + 18 * 4, csr.bytes());
        assertEquals(0.0, csr.toDense().sub(w).amaxNumber().doubleValue());
        INDArray x = rand(4, 5, 50);
        double[][] xd = x.castTo(DataType.DOUBLE).toDoubleMatrix(), wd = w.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] yd = csr.times(x).castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int b = 0; b < 5; b++) {
            for (int o = 0; o < 17; o++) {
                double s = 0;
                for (int i = 0; i < 50; i++) s += xd[b][i] * wd[i][o];
                assertEquals(s, yd[b][o], 1e-4, "y[" + b + "][" + o + "]");
            }
        }
    }

    @Test
    void sparseMlpGivesTheMaskedDenseModelsLogits() {
        MLP m = MLP.of(30, 20, 10, 5);
        m.parameter("0.bias").value().assign(rand(9, 20).mul(0.1));
        new PruningMasks(m, MagnitudePruning.global(m, MagnitudePruning.weightNames(m), 0.85)).apply();
        INDArray x = rand(10, 64, 30);
        INDArray dense;
        try (var off = Tensor.noGrad()) {
            dense = m.forward(x).value();
        }
        SparseMLP sparse = new SparseMLP(m);
        assertTrue(sparse.forward(x).sub(dense).amaxNumber().doubleValue() < 1e-4);
        assertTrue(sparse.bytes() < m.parameterBytes());
    }

    @Test
    void hanThresholdIsQualityTimesSigmaAndMasksOnlyGrow() {
        MLP m = MLP.of(40, 30, 10);
        INDArray w0 = m.parameter("0.weight").value().dup();
        double sigma = IterativePruning.std(w0);
        PruningMasks masks = new PruningMasks(m);
        IterativePruning it = new IterativePruning(masks, Map.of("0.weight", 1.5), 3);
        assertEquals(sigma, it.sigma("0.weight"), 1e-9);
        assertEquals(1.5 * sigma, it.threshold("0.weight", 3), 1e-9);
        it.pruneRound(1);
        long below = 0;
        for (double v : w0.castTo(DataType.DOUBLE).dup('c').data().asDouble()) if (Math.abs(v) <= 0.5 * sigma) below++;
        assertEquals(below, masks.pruned("0.weight"));
        long afterOne = masks.pruned("0.weight");
        m.parameter("0.weight").value().assign(w0); // weights "retrained" back: pruned ones must stay pruned
        masks.apply();
        it.pruneRound(2);
        assertTrue(masks.pruned("0.weight") >= afterOne);
        double q = IterativePruning.qualityFor(w0, 0.9);
        assertEquals(Math.round(0.9 * 1200), zeros(IterativePruning.thresholdMask(w0, q * sigma)));
    }

    @Test
    void globalQualityGivesOneThresholdOverAllLayers() {
        MLP m = MLP.of(40, 30, 10);
        m.parameter("2.weight").value().muli(4); // the output layer's weights larger: a global threshold spares it
        List<String> names = List.of("0.weight", "2.weight");
        double s = 0.7;
        Map<String, Double> q = IterativePruning.globalQuality(m, names, s);
        // reference: plain loops in double over every weight, the round(s·N)-th smallest |w| is the threshold
        double[] all = new double[40 * 30 + 30 * 10];
        int at = 0;
        for (String n : names) {
            INDArray w = m.parameter(n).value();
            for (int i = 0; i < w.rows(); i++) for (int j = 0; j < w.columns(); j++) all[at++] = Math.abs(w.getDouble(i, j));
        }
        java.util.Arrays.sort(all);
        double t = all[(int) Math.round(s * all.length) - 1];
        long total = 0;
        for (String n : names) {
            INDArray w = m.parameter(n).value();
            double sigma = IterativePruning.std(w);
            assertEquals(t, q.get(n) * sigma, 1e-9 * t, n + ": q·σ must be the global threshold");
            long below = 0;
            for (int i = 0; i < w.rows(); i++) for (int j = 0; j < w.columns(); j++) if (Math.abs(w.getDouble(i, j)) <= t) below++;
            long masked = zeros(IterativePruning.thresholdMask(w, q.get(n) * sigma));
            assertEquals(below, masked, n + ": the threshold mask prunes |w| <= t");
            assertEquals(zeros(MagnitudePruning.global(m, names, s).get(n)), masked, n + ": same masks as global pruning");
            total += masked;
        }
        assertEquals(Math.round(s * all.length), total, "round(s·N) pruned over all layers");
        // global, not layer-wise: the layer of larger weights loses less than s, the other more
        double s0 = zeros(IterativePruning.thresholdMask(m.parameter("0.weight").value(), t)) / 1200.0;
        double s2 = zeros(IterativePruning.thresholdMask(m.parameter("2.weight").value(), t)) / 300.0;
        assertTrue(s2 < s - 0.2 && s0 > s, "expected the scaled layer spared: " + s0 + ", " + s2);
        assertEquals(0.0, IterativePruning.globalQuality(m, names, 0).get("0.weight"), 0);
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.globalQuality(m, List.of(), 0.5));
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.globalQuality(m, names, 1.0));
        m.parameter("0.weight").value().assign(0.25);
        var e = assertThrows(IllegalArgumentException.class, () -> IterativePruning.globalQuality(m, names, 0.5));
        assertTrue(e.getMessage().contains("0.weight"), e.getMessage());
    }

    @Test
    void cubicScheduleFollowsEquationOne() {
        var s = new CubicSparsitySchedule(0.1, 0.9, 100, 10, 20);
        assertEquals(0.1, s.at(50), 0);
        assertEquals(0.1, s.at(100), 0);
        assertEquals(0.9 + (0.1 - 0.9) * Math.pow(1 - 50.0 / 200, 3), s.at(150), 1e-12);
        assertEquals(0.9, s.at(300), 0);
        assertEquals(0.9, s.at(1000), 0);
        assertTrue(s.pruningStep(120) && !s.pruningStep(121) && !s.pruningStep(320));
        assertEquals(s.at(140), s.inForce(159), 0);
    }

    @Test
    void gradualPrunerReachesTheTargetDuringTraining() {
        MLP m = MLP.of(12, 16, 4);
        INDArray x = rand(7, 32, 12);
        INDArray y = Nd4j.createFromArray(new Random(8).ints(32, 0, 4).asDoubleStream().toArray()).castTo(DataType.FLOAT);
        PruningMasks masks = new PruningMasks(m);
        var schedule = new CubicSparsitySchedule(0, 0.8, 2, 4, 3);
        var pruner = new GradualPruner(masks, List.of("0.weight", "2.weight"), schedule, false);
        MaskedOptimizer opt = pruner.attach(new MaskedOptimizer(Adam.adamW(m.parameters(), 1e-2, 0.1), masks));
        new Trainer(m, opt, TrainConfig.defaults().withProgress(false))
                .fitSteps(20, st -> new org.bigmodels.train.Batch(x, y), b -> Ops.crossEntropy(m.forward(b.x()), b.y()), null);
        assertEquals(0.8, pruner.current(), 0);
        assertEquals(Math.round(0.8 * 12 * 16), masks.zerosInWeights("0.weight"));
        assertEquals(Math.round(0.8 * 16 * 4), masks.zerosInWeights("2.weight"));
    }

    @Test
    void sensitivityRestoresWeightsAndChoosesWithinTolerance() {
        MLP m = MLP.of(12, 16, 4);
        INDArray before = m.parameter("0.weight").value().dup();
        double[] sp = {0.2, 0.5, 0.8};
        // a fake quality: 1 − sparsity of layer 0 (so layer 2 stays at 1)
        var r = SensitivityAnalysis.run(m, List.of("0.weight", "2.weight"), sp, mod -> {
            INDArray w = mod.parameter("0.weight").value();
            return 1 - zeros(w) / (double) w.length();
        });
        assertEquals(0.0, m.parameter("0.weight").value().sub(before).amaxNumber().doubleValue());
        assertEquals(0.8, r.quality().get("0.weight")[0], 0.01);
        assertEquals(Map.of("0.weight", 0.2, "2.weight", 0.8), r.choose(0.3));
    }
}
