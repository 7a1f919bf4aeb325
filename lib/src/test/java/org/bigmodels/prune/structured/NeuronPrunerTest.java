package org.bigmodels.prune.structured;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NeuronPrunerTest {
    /** Biases random too (a fresh Linear's are zero, which would hide a bias sliced with the wrong indices). */
    private static MLP mlp() {
        MLP m = new MLP(new long[] {7, 10, 8, 4}, Activation.RELU, DataType.DOUBLE, 5);
        Nd4j.getRandom().setSeed(3);
        for (var l : m.linears()) l.bias().value().assign(Nd4j.randn(DataType.DOUBLE, l.bias().value().shape()).muli(0.5));
        return m;
    }

    private static INDArray x() {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.randn(DataType.DOUBLE, 6, 7);
    }

    private static INDArray out(MLP m, INDArray x) {
        try (var off = Tensor.noGrad()) {
            return m.forward(x).value();
        }
    }

    @Test
    void prunedEqualsMaskedDenseModelForEachHiddenLayer() {
        MLP m = mlp();
        int[] keep0 = {1, 2, 5, 9}, keep1 = {0, 3, 4, 6, 7};
        MLP p0 = NeuronPruner.prune(m, "0", keep0);
        assertArrayEquals(new long[] {7, 4, 8, 4}, p0.sizes());
        assertEquals(out(NeuronPruner.masked(m, "0", keep0), x()), out(p0, x()));
        MLP p1 = NeuronPruner.prune(m, "2", keep1);
        assertArrayEquals(new long[] {7, 10, 5, 4}, p1.sizes());
        INDArray ref = out(NeuronPruner.masked(m, "2", keep1), x());
        assertTrue(ref.equalsWithEps(out(p1, x()), 1e-12), "pruned layer '2' differs from the masked model");
        // the masked model really differs from the unpruned one: the test compares something
        assertFalse(ref.equalsWithEps(out(m, x()), 1e-6));
        // both layers at once, checked against zeroing both by hand
        MLP both = NeuronPruner.prune(m, Map.of("0", keep0, "2", keep1));
        MLP handMasked = NeuronPruner.copy(m);
        for (int j = 0; j < 10; j++) if (java.util.Arrays.binarySearch(keep0, j) < 0) {
            handMasked.linears().get(1).weight().value().getRow(j).assign(0);
        }
        for (int j = 0; j < 8; j++) if (java.util.Arrays.binarySearch(keep1, j) < 0) {
            handMasked.linears().get(2).weight().value().getRow(j).assign(0);
        }
        assertTrue(out(handMasked, x()).equalsWithEps(out(both, x()), 1e-12));
    }

    @Test
    void l1ScoresAreColumnSumsOfAbsoluteWeights() {
        MLP m = mlp();
        double[] s = NeuronPruner.scores(m, "0", Importance.L1, null, null);
        INDArray w = m.linears().get(0).weight().value();
        for (int j = 0; j < 10; j++) {
            double ref = 0;
            for (int i = 0; i < 7; i++) ref += Math.abs(w.getDouble(i, j));
            assertEquals(ref, s[j], 1e-12, "L1 of neuron " + j + " (column of W [in, out])");
        }
    }

    @Test
    void taylorScoreMatchesTheLossChangeForSmallScaling() {
        // |dL/d(gate_j)| at gate 1, by central differences on a gate that scales neuron j's outgoing row
        MLP m = mlp();
        INDArray x = x();
        INDArray y = Nd4j.createFromArray(0, 1, 2, 3, 0, 1);
        double[] s = NeuronPruner.scores(m, "0", Importance.TAYLOR, x, y);
        int negative = 0;
        for (int j = 0; j < 10; j++) {
            double h = 1e-6;
            double lp = loss(scaled(m, j, 1 + h), x, y), lm = loss(scaled(m, j, 1 - h), x, y);
            double d = (lp - lm) / (2 * h);
            if (d < 0) negative++;
            assertEquals(Math.abs(d), s[j], 1e-6, "Taylor score of neuron " + j + " (the absolute value of the change)");
        }
        assertTrue(negative > 0, "no neuron has a negative loss derivative: the test cannot tell |.| from the signed sum");
    }

    private static MLP scaled(MLP m, int j, double g) {
        MLP c = NeuronPruner.copy(m);
        c.linears().get(1).weight().value().getRow(j).muli(g);
        return c;
    }

    private static double loss(MLP m, INDArray x, INDArray y) {
        try (var off = Tensor.noGrad()) {
            return org.bigmodels.engine.Ops.crossEntropy(m.forward(x), y).item();
        }
    }

    @Test
    void fractionRemovesTheLowestScored() {
        MLP m = mlp();
        double[] s = NeuronPruner.scores(m, "0", Importance.L2, null, null);
        MLP p = NeuronPruner.prune(m, Map.of("0", 0.5), Importance.L2, null, null);
        assertEquals(5, p.sizes()[1]);
        double minKept = Double.MAX_VALUE;
        int[] keep = UnitSelection.keep(s, 0.5, "t");
        for (int k : keep) minKept = Math.min(minKept, s[k]);
        int removedAbove = 0;
        for (int j = 0; j < s.length; j++) if (java.util.Arrays.binarySearch(keep, j) < 0 && s[j] > minKept) removedAbove++;
        assertEquals(0, removedAbove, "a removed neuron scored higher than a kept one");
    }

    @Test
    void meanActivationIsTheMeanOfTheReluOutputs() {
        MLP m = mlp();
        INDArray x = x();
        double[] s = NeuronPruner.scores(m, "0", Importance.MEAN_ACTIVATION, x, null);
        INDArray w = m.linears().get(0).weight().value(), b = m.linears().get(0).bias().value();
        for (int j = 0; j < 10; j++) {
            double sum = 0;
            for (int n = 0; n < 6; n++) {
                double z = b.getDouble(j);
                for (int i = 0; i < 7; i++) z += x.getDouble(n, i) * w.getDouble(i, j);
                sum += Math.max(0, z);
            }
            assertEquals(sum / 6, s[j], 1e-12);
        }
    }

    @Test
    void savedAndLoadedAsTheSmallerModel(@TempDir Path dir) {
        MLP p = NeuronPruner.prune(mlp(), "0", new int[] {0, 3, 8});
        Path f = dir.resolve("pruned.ckpt");
        Checkpoint.save(p, f);
        MLP back = NeuronPruner.load(f, Activation.RELU);
        assertArrayEquals(p.sizes(), back.sizes());
        assertEquals(out(p, x()), out(back, x()));
    }

    @Test
    void badArgumentsGetClearErrors() {
        MLP m = mlp();
        var e = assertThrows(IllegalArgumentException.class,
                () -> NeuronPruner.prune(m, Map.of("0", 1.0), Importance.L1, null, null));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NeuronPruner.prune(m, Map.of("0", -0.1), Importance.L1, null, null));
        e = assertThrows(IllegalArgumentException.class, () -> NeuronPruner.prune(m, "1", new int[] {0}));
        assertTrue(e.getMessage().contains("[0, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NeuronPruner.prune(m, "4", new int[] {0}));
        assertTrue(e.getMessage().contains("output layer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NeuronPruner.prune(m, "0", new int[0]));
        assertTrue(e.getMessage().contains("keep at least one"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NeuronPruner.prune(m, Map.of("0", 0.97), Importance.L1, null, null));
        assertTrue(e.getMessage().contains("remove all 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NeuronPruner.prune(m, "0", new int[] {3, 1}));
        assertThrows(IllegalArgumentException.class, () -> NeuronPruner.prune(m, "0", new int[] {10}));
        e = assertThrows(IllegalArgumentException.class,
                () -> NeuronPruner.scores(m, "0", Importance.TAYLOR, null, null));
        assertTrue(e.getMessage().contains("TAYLOR needs"), e.getMessage());
    }
}
