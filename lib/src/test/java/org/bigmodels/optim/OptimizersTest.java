package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class OptimizersTest {

    private static Tensor paramWithGrad(double[] w, double[] g) {
        Tensor p = Tensor.param(Nd4j.createFromArray(w));
        Tensor.of(Nd4j.createFromArray(g)).mul(p).sum().backward(); // grad of sum(g * w) is g
        return p;
    }

    private static Tensor matrixWithGrad(double[] w, double[] g) {
        Tensor p = Tensor.param(Nd4j.createFromArray(new double[][] {w}));
        Tensor.of(Nd4j.createFromArray(new double[][] {g})).mul(p).sum().backward();
        return p;
    }

    @Test
    void sgdWithMomentumAndWeightDecayFollowsTheFormula() {
        Tensor p = matrixWithGrad(new double[] {1, -2}, new double[] {0.5, 0.25}); // rank 2: decayed by default
        SGD sgd = new SGD(List.of(p), 0.1, 0.9, 0.01);
        sgd.step(); // g' = g + 0.01 w; v = g'; w -= 0.1 v
        double g0 = 0.5 + 0.01 * 1, g1 = 0.25 + 0.01 * -2;
        double w0 = 1 - 0.1 * g0, w1 = -2 - 0.1 * g1;
        assertArrayEquals(new double[] {w0, w1}, p.value().toDoubleVector(), 1e-12);
        sgd.step(); // same gradient again: v = 0.9 v + g'(new w)
        double v0 = 0.9 * g0 + (0.5 + 0.01 * w0), v1 = 0.9 * g1 + (0.25 + 0.01 * w1);
        assertArrayEquals(new double[] {w0 - 0.1 * v0, w1 - 0.1 * v1}, p.value().toDoubleVector(), 1e-12);
    }

    @Test
    void adamFirstStepMovesEachWeightByAboutLr() {
        Tensor p = paramWithGrad(new double[] {1, 1, 1}, new double[] {1e-3, -5, 100});
        Adam.adam(List.of(p), 0.01).step();
        // bias-corrected m/sqrt(v) = g/|g| on the first step
        assertArrayEquals(new double[] {0.99, 1.01, 0.99}, p.value().toDoubleVector(), 1e-5);
    }

    @Test
    void adamTwoStepsMatchAHandComputation() {
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, w = 0.5;
        Tensor p = Tensor.param(Nd4j.createFromArray(w));
        Adam adam = Adam.adam(List.of(p), lr, b1, b2, eps, 0);
        double m = 0, v = 0;
        for (int t = 1; t <= 2; t++) {
            p.zeroGrad();
            p.mul(p).sum().backward(); // g = 2w
            double g = 2 * w;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            w -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            adam.step();
            assertEquals(w, p.value().getDouble(0), 1e-12, "step " + t);
        }
    }

    @Test
    void adamWDecaysWeightsEvenWithZeroGradient() {
        Tensor p = matrixWithGrad(new double[] {2.0}, new double[] {0.0});
        Adam.adamW(List.of(p), 0.1, 0.5).step();
        assertEquals(2.0 * (1 - 0.1 * 0.5), p.value().getDouble(0), 1e-12);
    }

    @Test
    void schedules() {
        LrSchedule cos = LrSchedule.cosineWithWarmup(1.0, 10, 110, 0.1);
        assertEquals(0.1, cos.at(0), 1e-12);
        assertEquals(1.0, cos.at(9), 1e-12);
        assertEquals(1.0, cos.at(10), 1e-12);
        assertEquals(0.55, cos.at(60), 1e-12);
        assertEquals(0.1, cos.at(110), 1e-12);
        LrSchedule st = LrSchedule.step(1.0, 5, 0.5);
        assertEquals(1.0, st.at(4), 0);
        assertEquals(0.5, st.at(5), 0);
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosineWithWarmup(1, 10, 5, 0));
    }

    @Test
    void clipNormScalesToTheLimit() {
        Tensor a = paramWithGrad(new double[] {0, 0}, new double[] {3, 0});
        Tensor b = paramWithGrad(new double[] {0}, new double[] {4});
        double norm = GradClip.clipNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-12);
        assertEquals(1.0, GradClip.globalNorm(List.of(a, b)), 1e-6);
        assertArrayEquals(new double[] {0.6, 0}, a.grad().toDoubleVector(), 1e-6);
    }

    @Test
    void badHyperparametersAreRefused() {
        Tensor p = Tensor.param(Nd4j.zeros(DataType.FLOAT, 2));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), -1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), 0.1, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> Adam.adam(List.of(p), 0.1, 1.0, 0.9, 1e-8, 0));
    }
}
