package org.bigmodels.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.Batch;
import org.bigmodels.train.History;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Weight pruning of a user's own DL4J network (a convolutional layer, a dense layer, an output layer): exact counts,
 * outputs equal to a copy masked by hand with plain double loops, masks held through DL4J's own fit with Adam and
 * Nesterov momentum (and a control showing fit revives them without the listener), the error for an unknown layer;
 * and global magnitude pruning held by {@link MaskedOptimizer} on the course GPT through the Trainer.
 */
class Dl4jWeightPruningTest {

    /** conv 3x3 (1 -> 4 channels) on 6x6 images, dense 64 -> 16, softmax output 16 -> 3; double precision. */
    static MultiLayerNetwork net(IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(updater).l2(1e-3).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(4).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(6, 6, 1)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    static DataSet data() {
        Random r = new Random(3);
        double[][] x = new double[32][36], y = new double[32][3];
        for (int i = 0; i < 32; i++) {
            for (int j = 0; j < 36; j++) x[i][j] = r.nextGaussian();
            y[i][r.nextInt(3)] = 1;
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    static double[] values(INDArray a) {
        return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    static long zeros(INDArray a) {
        return Arrays.stream(values(a)).filter(v -> v == 0).count();
    }

    /** The k-th smallest |v| (1-based) of the given values, by a plain sort. */
    static double kthAbs(double[] v, long k) {
        double[] a = Arrays.stream(v).map(Math::abs).sorted().toArray();
        return a[(int) k - 1];
    }

    /** Zeroes the entries of net's weight {@code name} with |w| &lt;= t, by plain loops. */
    static void zeroBelow(MultiLayerNetwork n, String name, double t) {
        INDArray w = n.getParam(name);
        double[] v = values(w);
        for (int i = 0; i < v.length; i++) if (Math.abs(v[i]) <= t) v[i] = 0;
        w.assign(Nd4j.createFromArray(v).reshape('c', w.shape()));
    }

    @Test
    void weightNamesAreTheDenseAndConvolutionalWeights() {
        MultiLayerNetwork n = net(new org.nd4j.linalg.learning.config.Sgd(0.1));
        assertEquals(List.of("0_W", "1_W", "2_W"), Dl4jWeightPruning.weightNames(n));
        assertEquals(4, n.getParam("0_W").rank(), "the convolution's kernels are [nOut, nIn, kH, kW]");
    }

    @Test
    void layerwiseReachesTheExactCountAndEqualsAHandMaskedCopy() {
        MultiLayerNetwork n = net(new org.nd4j.linalg.learning.config.Sgd(0.1));
        MultiLayerNetwork hand = n.clone();
        List<String> names = Dl4jWeightPruning.weightNames(n);
        double s = 0.7;
        Dl4jWeightPruning p = Dl4jWeightPruning.layerwise(n, names, s);
        p.apply();
        for (String name : names) {
            long len = n.getParam(name).length(), k = Math.round(s * len);
            assertEquals(k, zeros(n.getParam(name)), name + ": expected exactly round(s·n) zeros");
            zeroBelow(hand, name, kthAbs(values(hand.getParam(name)), k));
        }
        INDArray x = data().getFeatures();
        assertEquals(0, n.output(x).sub(hand.output(x)).amaxNumber().doubleValue(), 0,
                "the pruned network must compute exactly what a copy with the smallest |w| zeroed by hand computes");
    }

    @Test
    void globalRanksAllLayersTogether() {
        MultiLayerNetwork n = net(new org.nd4j.linalg.learning.config.Sgd(0.1));
        MultiLayerNetwork hand = n.clone();
        List<String> names = Dl4jWeightPruning.weightNames(n);
        double s = 0.8;
        List<Double> all = new ArrayList<>();
        for (String name : names) for (double v : values(n.getParam(name))) all.add(v);
        long k = Math.round(s * all.size());
        double t = kthAbs(all.stream().mapToDouble(Double::doubleValue).toArray(), k);
        Dl4jWeightPruning p = Dl4jWeightPruning.global(n, names, s);
        p.apply();
        long total = 0;
        boolean differsFromLayerwise = false;
        for (String name : names) {
            total += zeros(n.getParam(name));
            zeroBelow(hand, name, t);
            differsFromLayerwise |= zeros(n.getParam(name)) != Math.round(s * n.getParam(name).length());
        }
        assertEquals(k, total, "global: exactly round(s·N) zeros over all layers");
        assertEquals(s, p.sparsity(), 0.5 / all.size());
        assertTrue(differsFromLayerwise, "global pruning must not give every layer the same sparsity here");
        INDArray x = data().getFeatures();
        assertEquals(0, n.output(x).sub(hand.output(x)).amaxNumber().doubleValue(), 0,
                "global: one threshold over all layers, as a hand mask with the k-th smallest |w| of all layers");
    }

    void masksHoldThroughFit(IUpdater updater) {
        MultiLayerNetwork n = net(updater);
        Dl4jWeightPruning p = Dl4jWeightPruning.global(n, Dl4jWeightPruning.weightNames(n), 0.6).attach();
        Map<String, Long> pruned = new java.util.LinkedHashMap<>();
        p.masks().forEach((name, m) -> pruned.put(name, m.length() - m.sumNumber().longValue()));
        INDArray before = n.params().dup();
        DataSet d = data();
        for (int i = 0; i < 15; i++) n.fit(d);
        for (String name : pruned.keySet()) {
            INDArray w = n.getParam(name), m = p.masks().get(name);
            assertEquals(0, w.mul(m.rsub(1)).amaxNumber().doubleValue(), 0,
                    updater + ", " + name + ": a pruned weight came back to life during DL4J's fit");
            assertEquals(pruned.get(name), zeros(w), name);
        }
        assertTrue(n.params().sub(before).amaxNumber().doubleValue() > 1e-3, "the kept weights must train");

        // the control: the same fit without the listener revives pruned weights (so this test can fail)
        MultiLayerNetwork c = net(updater);
        Dl4jWeightPruning pc = Dl4jWeightPruning.global(c, Dl4jWeightPruning.weightNames(c), 0.6);
        pc.apply();
        for (int i = 0; i < 15; i++) c.fit(d);
        long revived = 0;
        for (String name : pruned.keySet()) revived += pruned.get(name) - zeros(c.getParam(name));
        assertTrue(revived > 0, "control: without the listener some pruned weights should move");
    }

    @Test
    void masksHoldThroughDl4jFitWithAdam() {
        masksHoldThroughFit(new org.nd4j.linalg.learning.config.Adam(1e-2));
    }

    @Test
    void masksHoldThroughDl4jFitWithNesterovs() {
        masksHoldThroughFit(new Nesterovs(0.05, 0.9));
    }

    @Test
    void unknownLayerOrBadSparsityGetsAClearError() {
        MultiLayerNetwork n = net(new org.nd4j.linalg.learning.config.Sgd(0.1));
        var e = assertThrows(IllegalArgumentException.class, () -> Dl4jWeightPruning.layerwise(n, List.of("5_W"), 0.5));
        assertTrue(e.getMessage().contains("5_W") && e.getMessage().contains("[0_W, 1_W, 2_W]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dl4jWeightPruning.global(n, List.of("0_W"), 1.0));
        assertThrows(IllegalArgumentException.class, () -> Dl4jWeightPruning.global(n, List.of(), 0.5));
        var shape = assertThrows(IllegalArgumentException.class,
                () -> new Dl4jWeightPruning(n, Map.of("1_W", Nd4j.ones(DataType.DOUBLE, 3, 3))));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
    }

    @Test
    void globalPruningHeldByMaskedOptimizerOnTheGpt() {
        GPT gpt = new GPT(new GPTConfig(11, 8, 2, 2, 16, 0.0, DataType.FLOAT, 5));
        List<String> names = MagnitudePruning.weightNames(gpt);
        assertTrue(names.size() >= 8, "the GPT's weight matrices: " + names);
        double s = 0.75;
        PruningMasks masks = new PruningMasks(gpt, MagnitudePruning.global(gpt, names, s));
        masks.apply();
        long n = 0, pruned = 0;
        for (String name : names) {
            n += gpt.parameter(name).value().length();
            pruned += masks.pruned(name);
        }
        assertEquals(Math.round(s * n), pruned, "global over the GPT's matrices: exactly round(s·N) pruned");
        Random r = new Random(9);
        int[][] ids = new int[4][9];
        for (int[] row : ids) for (int j = 0; j < 9; j++) row[j] = r.nextInt(11);
        INDArray all = Nd4j.createFromArray(ids);
        INDArray x = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8)).dup();
        INDArray y = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 9)).dup();
        var opt = new MaskedOptimizer(Adam.adamW(gpt.parameters(), 1e-2, 0.9, 0.99, 1e-8, 0.1), masks);
        History h = new Trainer(gpt, opt, TrainConfig.defaults().withProgress(false))
                .fitSteps(25, st -> new Batch(x, y), b -> gpt.loss(b.x(), b.y()), null);
        for (String name : names) {
            assertEquals(masks.pruned(name), masks.zerosInWeights(name), name + ": a pruned GPT weight came back to life");
        }
        double[] loss = h.losses();
        assertTrue(loss[loss.length - 1] < loss[0] - 0.03, "the pruned GPT still learns: " + loss[0] + " -> " + loss[loss.length - 1]);
    }
}
