package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Constants, axes and empty inputs (review findings 5, 7, 13, 14). ND4J's scalar ops replace a NaN constant by 1e-5,
 * so the ops refuse non-finite constants; NaN inside tensors follows IEEE arithmetic. Expected values are closed
 * forms.
 */
class ScalarAndAxisChecksTest {

    static Tensor w() {
        return Tensor.param(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 7}}));
    }

    @Test
    void everyOpTakingAConstantRefusesNaNAndInfinity() {
        Tensor x = w(), one = Tensor.of(Nd4j.ones(DataType.DOUBLE, 3)), zero = Tensor.of(Nd4j.zeros(DataType.DOUBLE, 3));
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            Map<String, Executable> calls = Map.of(
                    "mul", () -> x.mul(bad), "add", () -> x.add(bad), "scale", () -> Ops.scale(x, bad),
                    "addScalar", () -> Ops.addScalar(x, bad), "pow", () -> x.pow(bad),
                    "layerNorm eps", () -> Ops.layerNorm(x, one, zero, bad), "dropout p", () -> Ops.dropout(x, bad));
            calls.forEach((what, call) -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what + "(" + bad
                        + ") was accepted (ND4J would silently use 1e-5 for NaN)");
                assertTrue(e.getMessage().contains(String.valueOf(bad)), what + ": " + e.getMessage());
            });
        }
        for (double eps : new double[] {0, -1, -1e-5}) {
            assertThrows(IllegalArgumentException.class, () -> Ops.layerNorm(x, one, zero, eps), "eps " + eps);
        }
    }

    @Test
    void finiteConstantsGiveTheClosedFormAndANaNSeedStaysNaN() {
        Tensor x = w();
        assertEquals(2 * 22 + 0.5, x.mul(2.0).sum().add(0.5).item(), 1e-12, "2·sum + 0.5");
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Tensor p = Tensor.param(Nd4j.createFromArray(3.0, 2.0).castTo(type));
            p.mul(2.0).sum().backward(Nd4j.scalar(type, Double.NaN));
            assertTrue(Double.isNaN(p.grad().getDouble(0)), type + " scale/sum backward of a NaN seed: " + p.grad());
            Tensor q = Tensor.param(Nd4j.createFromArray(3.0, 2.0).castTo(type));
            Ops.mse(q, Tensor.of(Nd4j.zeros(type, 2))).backward(Nd4j.scalar(type, Double.NaN));
            assertTrue(Double.isNaN(q.grad().getDouble(1)), type + " mse backward of a NaN seed: " + q.grad());
        }
    }

    @Test
    void aRepeatedAxisIsRefused() {
        for (int[] axes : new int[][] {{1, 1}, {1, -1}, {0, 1, 0}}) {
            ShapeException m = assertThrows(ShapeException.class, () -> w().mean(false, axes));
            assertTrue(m.getMessage().contains("twice"), m.getMessage());
            assertThrows(ShapeException.class, () -> w().sum(true, axes));
        }
        // distinct axes still work: mean over both axes = 22 / 6, gradient 1/6 each
        Tensor x = w();
        Tensor m = x.mean(false, 0, 1);
        assertEquals(22.0 / 6, m.item(), 1e-12);
        m.backward();
        for (double g : x.grad().reshape(6).toDoubleVector()) assertEquals(1.0 / 6, g, 1e-15);
    }

    @Test
    void powZeroHasAZeroGradientEverywhereIncludingAtZero() {
        Tensor x = Tensor.param(Nd4j.createFromArray(0.0, 2.0, -3.0));
        x.pow(0.0).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleVector(), 0.0, "d/dx x^0 = 0");
        Tensor y = Tensor.param(Nd4j.createFromArray(0.0, 2.0, -3.0));
        y.pow(3.0).sum().backward();
        assertArrayEquals(new double[] {0, 12, 27}, y.grad().toDoubleVector(), 1e-12, "d/dx x^3 = 3x^2");
    }

    @Test
    void emptyAndDegenerateInputsGiveClearErrors() {
        INDArray three = Nd4j.createFromArray(0, 0, 0);
        assertThrows(ShapeException.class, () -> Ops.crossEntropy(Tensor.param(Nd4j.create(DataType.FLOAT, 3, 0)), three),
                "0 classes");
        assertThrows(ShapeException.class, () -> Ops.crossEntropy(Tensor.param(Nd4j.create(DataType.FLOAT, 0, 4)),
                Nd4j.create(DataType.INT, 0)), "an empty batch");
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class, () -> Ops.crossEntropy(
                Tensor.param(Nd4j.rand(DataType.FLOAT, 2, 4)), Nd4j.createFromArray(true, false)));
        assertTrue(bool.getMessage().contains("BOOL"), bool.getMessage());
        assertThrows(ShapeException.class, () -> Ops.mean(Tensor.param(Nd4j.create(DataType.FLOAT, 0))));
        assertThrows(ShapeException.class, () -> Ops.mean(Tensor.param(Nd4j.create(DataType.FLOAT, 2, 0)), false, 1));
        assertThrows(ShapeException.class, () -> Ops.embedding(Tensor.param(Nd4j.rand(DataType.FLOAT, 4, 3)),
                Nd4j.create(DataType.INT, 0)));
        for (long[] shape : new long[][] {{0, 2, 6}, {1, 0, 6}}) {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> FusedAttention.causal(Tensor.param(Nd4j.create(DataType.FLOAT, shape)), 2));
            assertTrue(e.getMessage().contains("B, T, C >= 1"), e.getMessage());
        }
        Tensor p = Tensor.param(Nd4j.createFromArray(1.0, 2.0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromOp("myop", p.value().mul(2), null, p),
                "an op without backward would pass no gradient to p, silently");
    }
}
