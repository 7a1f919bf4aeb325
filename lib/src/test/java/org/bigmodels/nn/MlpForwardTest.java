package org.bigmodels.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MlpForwardTest {

    /** x·W + b, ReLU between layers, in plain double loops. */
    private static double[][] logitsByLoops(MLP m, double[][] x) {
        double[][] h = x;
        var linears = m.linears();
        for (int l = 0; l < linears.size(); l++) {
            double[][] w = linears.get(l).weight().value().toDoubleMatrix();
            double[] b = linears.get(l).bias().value().toDoubleVector();
            double[][] out = new double[h.length][b.length];
            for (int i = 0; i < h.length; i++) {
                for (int j = 0; j < b.length; j++) {
                    double s = b[j];
                    for (int k = 0; k < w.length; k++) s += h[i][k] * w[k][j];
                    out[i][j] = l + 1 < linears.size() ? Math.max(0, s) : s;
                }
            }
            h = out;
        }
        return h;
    }

    @Test
    void forwardOnAnArrayIsTheLoopReference() {
        MLP m = new MLP(new long[] {5, 4, 3}, Activation.RELU, DataType.DOUBLE, 7);
        m.linears().get(0).bias().value().assign(Nd4j.linspace(-0.2, 0.2, 4, DataType.DOUBLE));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 6, 5);
        Tensor logits = m.forward(x);
        double[][] expected = logitsByLoops(m, x.toDoubleMatrix());
        double[][] got = logits.value().toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], got[i], 1e-12);
        assertTrue(logits.requiresGrad(), "forward(INDArray) records the graph, like GPT.forward");

        int[] predicted = m.predict(x);
        for (int i = 0; i < expected.length; i++) {
            int best = 0;
            for (int j = 1; j < expected[i].length; j++) if (expected[i][j] > expected[i][best]) best = j;
            assertEquals(best, predicted[i], "row " + i);
        }
    }

    @Test
    void wrongInputsAreRefusedWithTheFix() {
        MLP m = MLP.of(5, 3);
        assertThrows(ShapeException.class, () -> m.forward(Nd4j.zeros(DataType.FLOAT, 2, 4)));
        assertThrows(ShapeException.class, () -> m.forward(Nd4j.zeros(DataType.FLOAT, 5)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Nd4j.zeros(DataType.DOUBLE, 2, 5)));
        assertTrue(e.getMessage().contains("castTo"), e.getMessage());
    }
}
