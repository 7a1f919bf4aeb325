package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 4 of issue 6: the global gradient norm without overflow or underflow, and never a scaling by a
 * non-finite factor. References: plain double loops, and closed forms k·1e200 · sqrt(sum k^2) where a plain loop
 * would overflow.
 */
class GradClipOverflowTest {

    /** A parameter whose gradient is exactly {@code g} (set by backward of sum(g * p)). */
    static Tensor withGrad(INDArray g) {
        Tensor p = Tensor.param(Nd4j.zeros(g.dataType(), g.shape()));
        Tensor.of(g).mul(p).sum().backward();
        return p;
    }

    static double plainNorm(List<double[]> gs) {
        double s = 0;
        for (double[] g : gs) for (double x : g) s += x * x;
        return Math.sqrt(s);
    }

    @Test
    void ordinaryGradientsMatchAPlainDoubleLoopAndAreScaledToTheLimit() {
        Random r = new Random(1);
        List<Tensor> ps = new ArrayList<>();
        List<double[]> ref = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            double[] g = new double[37 * (k + 1)];
            for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian() * (k + 1);
            ref.add(g);
            ps.add(withGrad(Nd4j.createFromArray(g).castTo(k % 2 == 0 ? DataType.DOUBLE : DataType.FLOAT)));
        }
        double expected = plainNorm(ref);
        assertEquals(expected, GradClip.globalNorm(ps), 1e-6 * expected);
        assertEquals(expected, GradClip.clipNorm(ps, 2.0), 1e-6 * expected);
        assertEquals(2.0, GradClip.globalNorm(ps), 1e-5);
        assertEquals(ref.get(0)[3] * 2.0 / expected, ps.get(0).grad().getDouble(3), 1e-6);
    }

    @Test
    void largeFiniteFloatGradientsGiveTheirFiniteNorm() {
        float[] g = {1e30f, -2e30f, 3e30f, 3.0e38f};
        Tensor p = withGrad(Nd4j.createFromArray(g));
        double expected = plainNorm(List.of(new double[] {g[0], g[1], g[2], g[3]})); // double: no overflow
        double norm = GradClip.clipNorm(List.of(p), 1.0);
        assertEquals(expected, norm, 1e-12 * expected, "float32 squares overflow; their sum in double does not");
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i] / expected, p.grad().getDouble(i), 1e-6, "clipped gradient " + i);
        }
    }

    @Test
    void hugeAndTinyDoubleGradientsAreScaledBeforeSquaring() {
        Tensor a = withGrad(Nd4j.createFromArray(1e200, -2e200)), b = withGrad(Nd4j.createFromArray(new double[][] {{2e200}}));
        assertEquals(3e200, GradClip.globalNorm(List.of(a, b)), 1e188, "1e200 * sqrt(1 + 4 + 4)");
        Tensor c = withGrad(Nd4j.createFromArray(3e-200, 4e-200));
        assertEquals(5e-200, GradClip.globalNorm(List.of(c)), 1e-212, "1e-200 * sqrt(9 + 16), no underflow to 0");
        Tensor d = withGrad(Nd4j.createFromArray(0.0, 0.0));
        assertEquals(0.0, GradClip.globalNorm(List.of(d)), 0.0);
        assertEquals(3e200, GradClip.globalNorm(List.of(d, c, a, b)), 1e188, "mixed scales");
    }

    @Test
    void aNonFiniteGradientIsReportedAndNothingIsScaled() {
        Tensor fine = withGrad(Nd4j.createFromArray(3f, 4f));
        Tensor inf = withGrad(Nd4j.createFromArray(1f, Float.POSITIVE_INFINITY));
        Tensor nan = withGrad(Nd4j.createFromArray(1.0, Double.NaN));
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipNorm(List.of(fine, inf), 1.0));
        assertArrayEquals(new double[] {3, 4}, fine.grad().toDoubleVector(), 0.0, "finite gradients are not zeroed");
        assertArrayEquals(new double[] {1, Double.POSITIVE_INFINITY}, inf.grad().toDoubleVector(), 0.0,
                "an infinite gradient does not become NaN");
        assertTrue(Double.isNaN(GradClip.clipNorm(List.of(fine, nan, inf), 1.0)));
        assertArrayEquals(new double[] {3, 4}, fine.grad().toDoubleVector(), 0.0);
        assertEquals(1, GradClip.firstNonFinite(List.of(fine, inf, nan)));
        assertEquals(-1, GradClip.firstNonFinite(List.of(fine)));
    }
}
