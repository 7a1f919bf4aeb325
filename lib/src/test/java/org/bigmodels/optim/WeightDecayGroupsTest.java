package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 2 of issue 6: weight decay applies by parameter group; the easy default decays weight matrices and
 * embeddings (rank >= 2) and never biases or layer-norm gains and shifts. Expected values: closed forms.
 */
class WeightDecayGroupsTest {

    static GPT gpt() {
        return new GPT(new GPTConfig(7, 4, 1, 2, 8, 0.0, DataType.DOUBLE, 3));
    }

    /** Gives every parameter a zero gradient, so an Adam update is exactly 0 and only the decay moves weights. */
    static void zeroGradients(List<Tensor> params) {
        for (Tensor p : params) {
            p.zeroGrad();
            p.mul(0.0).sum().backward();
        }
    }

    static Map<String, double[]> snapshot(GPT m) {
        var out = new java.util.LinkedHashMap<String, double[]>();
        m.namedParameters().forEach((n, p) -> out.put(n, p.value().dup('c').reshape(p.value().length()).toDoubleVector()));
        return out;
    }

    @Test
    void adamWByDefaultDecaysMatricesAndEmbeddingsButNotBiasesOrNormParameters() {
        GPT m = gpt();
        double lr = 0.1, wd = 0.5;
        Map<String, double[]> before = snapshot(m);
        zeroGradients(m.parameters());
        Adam.adamW(m.parameters(), lr, 0.9, 0.99, 1e-8, wd).step();
        int decayed = 0, kept = 0;
        for (var e : m.namedParameters().entrySet()) {
            double[] now = e.getValue().value().dup('c').reshape(e.getValue().value().length()).toDoubleVector();
            double[] was = before.get(e.getKey());
            boolean matrix = e.getValue().rank() >= 2;
            for (int i = 0; i < was.length; i++) {
                double expected = matrix ? was[i] * (1 - lr * wd) : was[i];
                assertEquals(expected, now[i], 1e-15, e.getKey() + (matrix ? " (a matrix) must decay by lr*wd"
                        : " (a bias or norm parameter) must not decay"));
            }
            if (matrix) decayed++; else kept++;
        }
        assertTrue(decayed >= 4 && kept >= 4, "the model has both kinds: " + decayed + " matrices, " + kept + " vectors");
        assertTrue(m.namedParameters().keySet().stream().anyMatch(n -> n.contains("ln")), "layer norms are covered");
    }

    @Test
    void explicitGroupsSetEachParametersDecay() {
        Tensor bias = Tensor.param(Nd4j.createFromArray(2.0, 4.0));
        Tensor w = Tensor.param(Nd4j.createFromArray(new double[][] {{1.0, -1.0}}));
        zeroGradients(List.of(bias, w));
        Adam.adamW(List.of(new ParamGroup(List.of(bias), 0.3), new ParamGroup(List.of(w), 0.0)), 0.1, 0.9, 0.999, 1e-8)
                .step();
        assertArrayEquals(new double[] {2 * (1 - 0.03), 4 * (1 - 0.03)}, bias.value().toDoubleVector(), 1e-15,
                "a bias decays when a group asks for it");
        assertArrayEquals(new double[] {1, -1}, w.value().reshape(2).toDoubleVector(), 0.0);
    }

    @Test
    void theRuleSplitsByRank() {
        Tensor scalar = Tensor.param(Nd4j.scalar(1.0)), vec = Tensor.param(Nd4j.ones(DataType.DOUBLE, 3)),
                mat = Tensor.param(Nd4j.ones(DataType.DOUBLE, 3, 2)), cube = Tensor.param(Nd4j.ones(DataType.DOUBLE, 2, 2, 2));
        List<ParamGroup> g = ParamGroup.decayMatricesOnly(List.of(scalar, vec, mat, cube), 0.1);
        assertEquals(List.of(mat, cube), g.get(0).params());
        assertEquals(0.1, g.get(0).weightDecay());
        assertEquals(List.of(scalar, vec), g.get(1).params());
        assertEquals(0.0, g.get(1).weightDecay());
        Adam a = Adam.adamW(List.of(vec, mat), 0.1, 0.01);
        assertEquals(2, a.paramGroups().size());
    }

    @Test
    void sgdWeightDecayFollowsTheSameRule() {
        double lr = 0.1, wd = 0.2;
        Tensor bias = Tensor.param(Nd4j.createFromArray(1.0, -2.0));
        Tensor w = Tensor.param(Nd4j.createFromArray(new double[][] {{3.0, 0.5}}));
        // gradients g = (0.5, 0.25) for both: loss = sum(g * p)
        Tensor.of(Nd4j.createFromArray(0.5, 0.25)).mul(bias).sum().backward();
        Tensor.of(Nd4j.createFromArray(new double[][] {{0.5, 0.25}})).mul(w).sum().backward();
        new SGD(List.of(bias, w), lr, 0, wd).step();
        assertArrayEquals(new double[] {1 - lr * 0.5, -2 - lr * 0.25}, bias.value().toDoubleVector(), 1e-15,
                "a bias: plain SGD, no decay");
        assertArrayEquals(new double[] {3 - lr * (0.5 + wd * 3), 0.5 - lr * (0.25 + wd * 0.5)},
                w.value().reshape(2).toDoubleVector(), 1e-15, "a matrix: w -= lr (g + wd w)");
    }

    @Test
    void adamL2FollowsTheSameRule() {
        Tensor bias = Tensor.param(Nd4j.createFromArray(1.0));
        Tensor w = Tensor.param(Nd4j.createFromArray(new double[][] {{1.0}}));
        zeroGradients(List.of(bias, w));
        Adam.adam(List.of(bias, w), 0.1, 0.9, 0.999, 1e-8, 0.5).step();
        assertEquals(1.0, bias.value().getDouble(0), 0.0, "no L2 term on a bias");
        // g' = 0 + 0.5 * 1: the first Adam step moves by lr * g'/|g'| = lr
        assertEquals(1.0 - 0.1, w.value().getDouble(0, 0), 1e-7, "L2 joins a matrix's gradient");
    }

    @Test
    void aParameterGivenTwiceIsRefused() {
        Tensor p = Tensor.param(Nd4j.ones(DataType.DOUBLE, 2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Adam.adamW(List.of(new ParamGroup(List.of(p), 0.1), new ParamGroup(List.of(p), 0.0)), 0.1, 0.9, 0.99, 1e-8));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ParamGroup(List.of(p), -1));
        INDArray unused = p.value();
        assertNotNull(unused);
    }
}
