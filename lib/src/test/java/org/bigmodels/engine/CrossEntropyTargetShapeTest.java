package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Review finding 3: targets must have exactly the logits' leading shape ([N] for [N, C], [B, T] for [B, T, C]); a
 * transposed [T, B] or a flat [1, B·T] of the same length would be paired by flat position, silently. The accepted
 * shapes are checked against a plain double loop.
 */
class CrossEntropyTargetShapeTest {
    static final double[] Z = {0.1, -1, 2, 0.5, 1, 1, -2, 0, 3, 0.2, 0.4, -0.7, 1.5, 0, 0, 2, -1, 0.3, 0.9, 1.1,
        -0.4, 0.8, 0.6, -1.2};

    static INDArray logits(long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return Nd4j.create(java.util.Arrays.copyOf(Z, (int) n), shape, 'c');
    }

    /** mean over rows of logsumexp(row) - row[target], in double. */
    static double naive(double[] z, int c, int[] t) {
        double loss = 0;
        for (int i = 0; i < t.length; i++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < c; j++) max = Math.max(max, z[i * c + j]);
            for (int j = 0; j < c; j++) s += Math.exp(z[i * c + j] - max);
            loss += max + Math.log(s) - z[i * c + t[i]];
        }
        return loss / t.length;
    }

    @Test
    void targetsWhoseShapeIsNotTheLeadingShapeAreRefusedNamingBoth() {
        Tensor z = Tensor.param(logits(2, 3, 4));
        for (INDArray t : new INDArray[] {Nd4j.createFromArray(new int[][] {{0, 1}, {2, 3}, {1, 1}}),
                Nd4j.createFromArray(new int[][] {{0, 1, 2, 3, 1, 1}}), Nd4j.createFromArray(0, 1, 2, 3, 1, 1),
                Nd4j.createFromArray(new int[][][] {{{0, 1, 2}}, {{3, 1, 1}}})}) {
            ShapeException e = assertThrows(ShapeException.class, () -> Ops.crossEntropy(z, t),
                    "targets " + java.util.Arrays.toString(t.shape()) + " for logits [2, 3, 4]");
            assertTrue(e.getMessage().contains("[2, 3, 4]") && e.getMessage().contains(java.util.Arrays.toString(t.shape())),
                    e.getMessage());
        }
        Tensor z2 = Tensor.param(logits(6, 4));
        assertThrows(ShapeException.class, () -> Ops.crossEntropy(z2, Nd4j.createFromArray(new int[][] {{0}, {1}, {2}, {3}, {1}, {1}})));
        assertThrows(ShapeException.class, () -> Ops.crossEntropy(z2, Nd4j.createFromArray(new int[][] {{0, 1, 2, 3, 1, 1}})));
    }

    @Test
    void theLeadingShapeIsAcceptedAndMatchesAPlainLoop() {
        int[] t = {0, 1, 2, 3, 1, 1};
        double expect = naive(Z, 4, t);
        assertEquals(expect, Ops.crossEntropy(Tensor.param(logits(2, 3, 4)),
                Nd4j.createFromArray(new int[][] {{0, 1, 2}, {3, 1, 1}})).item(), 1e-12, "[B, T] targets");
        assertEquals(expect, Ops.crossEntropy(Tensor.param(logits(6, 4)), Nd4j.createFromArray(t)).item(), 1e-12,
                "[N] targets");
        assertEquals(naive(Z, 4, new int[] {2}), Ops.crossEntropy(Tensor.param(logits(1, 4)),
                Nd4j.createFromArray(2)).item(), 1e-12, "one row, [1] targets");
        assertEquals(DataType.DOUBLE, Ops.crossEntropy(Tensor.param(logits(6, 4)), Nd4j.createFromArray(t)).dataType());
    }
}
