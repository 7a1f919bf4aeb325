package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fake-quantization op against plain loops: the STE's gradient is 1 inside the clipping range (boundaries
 * included) and 0 outside; LSQ's step-size gradient equals the central finite difference of its surrogate (round()
 * frozen, as the estimator assumes); the learned op at the calibrated step equals the quantizer's fake quantization;
 * QatMLP at 8 bits predicts like the float model and trains through the course Trainer.
 */
class FakeQuantTest {

    static INDArray vec(double... v) {
        return Nd4j.createFromArray(v);
    }

    @Test
    void steGradientIsOneInsideAndZeroOutsideTheRange() {
        QuantParams p = QuantParams.perTensor(0.5, 2, IntFormat.unsigned(3)); // range [0.5*(0-2), 0.5*(7-2)] = [-1, 2.5]
        double[] xs = {-3, -1.0001, -1, -0.3, 0, 1.1, 2.5, 2.5001, 7};
        double[] expected = {0, 0, 1, 1, 1, 1, 1, 0, 0};
        Tensor x = Tensor.param(vec(xs));
        Tensor y = FakeQuant.observed(x, p);
        Ops.sum(y).backward();
        assertArrayEquals(expected, x.grad().toDoubleVector(), 0, "STE: 1 inside [lo, hi] (inclusive), 0 outside");
        // the forward is the quantizer's staircase
        for (int k = 0; k < xs.length; k++) {
            double q = Math.max(0, Math.min(7, Math.rint(xs[k] / 0.5) + 2));
            assertEquals(0.5 * (q - 2), y.value().getDouble(k), 1e-12);
        }
    }

    @Test
    void steMultipliesTheUpstreamGradientPerChannel() {
        // W [3, 2], channels on axis 1 with ranges [-0.1*127.., ] -- use tiny scales so some values clip
        QuantParams p = QuantParams.perChannel(new double[] {0.01, 0.1}, new int[] {0, 0}, 1, IntFormat.signed(4));
        double[][] w = {{0.05, 0.5}, {-0.09, -0.81}, {0.07, 0.65}}; // channel 0 range [-0.08, 0.07], channel 1 [-0.8, 0.7]
        Tensor x = Tensor.param(Nd4j.createFromArray(w));
        INDArray up = Nd4j.createFromArray(new double[][] {{2, 3}, {4, 5}, {6, 7}});
        Ops.sum(Ops.mul(FakeQuant.observed(x, p), Tensor.of(up))).backward();
        double[][] g = x.grad().toDoubleMatrix();
        double[][] expected = new double[3][2];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                double lo = p.rangeMin(j), hi = p.rangeMax(j);
                expected[i][j] = w[i][j] >= lo && w[i][j] <= hi ? up.getDouble(i, j) : 0;
            }
        }
        for (int i = 0; i < 3; i++) assertArrayEquals(expected[i], g[i], 0);
        assertEquals(0, g[1][0], "-0.09 is below channel 0's -0.08: clipped, no gradient");
        assertEquals(7, g[2][1], "0.65 is inside channel 1's range");
    }

    @Test
    void lsqGradientsMatchFiniteDifferencesOfTheSurrogate() {
        Random rng = new Random(3);
        int rows = 5, cols = 3;
        double[][] w = new double[rows][cols];
        for (double[] r : w) for (int j = 0; j < cols; j++) r[j] = rng.nextGaussian();
        double[] s = {0.3, 0.25, 0.4};
        double[][] up = new double[rows][cols];
        for (double[] r : up) for (int j = 0; j < cols; j++) r[j] = rng.nextGaussian();
        IntFormat f = IntFormat.signed(3); // [-4, 3]: several values clip
        double gs = 0.7;
        Tensor x = Tensor.param(Nd4j.createFromArray(w));
        Tensor scale = Tensor.param(vec(s));
        Ops.sum(Ops.mul(FakeQuant.learned(x, scale, 1, f, gs), Tensor.of(Nd4j.createFromArray(up)))).backward();
        // surrogate: round() replaced by "u + frozen residual", so its exact derivative is what the STE/LSQ claim
        double h = 1e-6;
        for (int j = 0; j < cols; j++) {
            double numeric = (surrogate(w, s, up, f, j, h, w, s) - surrogate(w, s, up, f, j, -h, w, s)) / (2 * h);
            assertEquals(gs * numeric, scale.grad().getDouble(j), 1e-6, "dL/dS of channel " + j);
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double u = w[i][j] / s[j];
                double expected = u >= f.qmin() && u <= f.qmax() ? up[i][j] : 0;
                assertEquals(expected, x.grad().getDouble(i, j), 1e-12, "dL/dx at (" + i + "," + j + ")");
            }
        }
    }

    /** sum of up * S_j clamp(x/S_j + r, qmin, qmax) with S_j moved by dh; r = rint(x0/S0) - x0/S0 frozen. */
    static double surrogate(double[][] w, double[] s, double[][] up, IntFormat f, int channel, double dh, double[][] w0,
                            double[] s0) {
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < s.length; j++) {
                double sj = s[j] + (j == channel ? dh : 0);
                double u0 = w0[i][j] / s0[j];
                double r = Math.rint(u0) - u0;
                double u = w[i][j] / sj;
                double q = u0 < f.qmin() ? f.qmin() : u0 > f.qmax() ? f.qmax() : u + r;
                total += up[i][j] * sj * q;
            }
        }
        return total;
    }

    @Test
    void learnedOpAtTheCalibratedStepIsTheQuantizersFakeQuantization() {
        INDArray w = Nd4j.randn(DataType.DOUBLE, 20, 6);
        QuantParams p = Quantizer.symmetric(4).perChannel(1).calibrate(w);
        Tensor y = FakeQuant.learned(Tensor.of(w), Tensor.of(vec(p.scales())), 1, IntFormat.signed(4), 1);
        assertEquals(0, y.value().sub(p.fakeQuantize(w)).amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void badScalesAndShapesGetClearErrors() {
        Tensor x = Tensor.of(Nd4j.randn(DataType.DOUBLE, 4, 3));
        var e = assertThrows(IllegalArgumentException.class,
                () -> FakeQuant.learned(x, Tensor.of(vec(0.1, Double.NaN, 0.3)), 1, IntFormat.signed(4), 1));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        // a step pushed through 0 is floored at MIN_STEP and frozen (no gradient), not a crash
        Tensor s = Tensor.param(vec(0.1, -0.2, 0.3));
        Tensor xp = Tensor.param(Nd4j.createFromArray(new double[][] {{1e-7, 1, 1}}));
        Tensor y = FakeQuant.learned(xp, s, 1, IntFormat.signed(4), 1);
        assertEquals(7 * FakeQuant.MIN_STEP, y.value().getDouble(0, 1), 1e-15, "clipped to 7 * MIN_STEP");
        org.bigmodels.engine.Ops.sum(y).backward();
        assertEquals(0, s.grad().getDouble(1), 0);
        assertNotEquals(0, s.grad().getDouble(0));
        assertThrows(ShapeException.class, () -> FakeQuant.learned(x, Tensor.of(vec(0.1, 0.2)), 1, IntFormat.signed(4), 1));
        assertThrows(IllegalArgumentException.class, () -> FakeQuant.lsqGradScale(0, IntFormat.INT8));
    }

    @Test
    void qatMlpAtEightBitsPredictsLikeTheFloatModelAndTrainsThroughTheTrainer() {
        MLP model = new MLP(new long[] {16, 12, 4}, Activation.RELU, DataType.FLOAT, 5);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 256, 16);
        INDArray y = x.mmul(Nd4j.randn(DataType.FLOAT, 16, 4)).argMax(1).castTo(DataType.INT);
        QatMLP q8 = QatMLP.from(model, 8, x);
        int[] a = model.predict(x), b = q8.predict(x);
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        assertTrue(same >= 250, "8-bit fake quantization should rarely change a prediction: " + same + "/256");
        assertEquals(List.of("aScale0", "wScale0", "aScale1", "wScale1", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight",
                "mlp.2.bias"), List.copyOf(q8.namedParameters().keySet()));

        QatMLP q3 = QatMLP.from(model, 3, x);
        double[] scaleBefore = q3.weightScales(0);
        double lossBefore = Trainer.inference(q3, m -> Ops.crossEntropy(q3.forward(x), y).item());
        new Trainer(q3, Adam.adam(q3.parameters(), 3e-3), TrainConfig.defaults().withProgress(false))
                .fitEpochs(x, y, 15, 32, batch -> Ops.crossEntropy(q3.forward(batch.x()), batch.y()), () -> Map.of());
        double lossAfter = Trainer.inference(q3, m -> Ops.crossEntropy(q3.forward(x), y).item());
        assertTrue(lossAfter < lossBefore - 0.05, "QAT should lower the 3-bit model's loss: " + lossBefore + " -> " + lossAfter);
        assertFalse(java.util.Arrays.equals(scaleBefore, q3.weightScales(0)), "the step sizes are learned (LSQ)");
        assertNotEquals(model.linears().get(0).weight().value(), q3.mlp().linears().get(0).weight().value());
    }

    @Test
    void perTensorWeightsShareOneMinMaxStepPerMatrix() {
        MLP model = new MLP(new long[] {16, 12, 4}, Activation.RELU, DataType.DOUBLE, 5);
        // shrink one output channel so that one scale per matrix leaves it few integer levels
        model.linears().get(0).weight().value().getColumn(3).muli(0.05);
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 64, 16);
        QatMLP t = QatMLP.perTensorWeights(model, 4, x);
        QatMLP c = QatMLP.from(model, 4, x);
        assertFalse(t.perChannelWeights());
        assertTrue(c.perChannelWeights());
        for (int l = 0; l < 2; l++) {
            INDArray w = model.linears().get(l).weight().value();
            double maxAbs = 0;
            for (int i = 0; i < w.size(0); i++) for (int j = 0; j < w.size(1); j++) maxAbs = Math.max(maxAbs, Math.abs(w.getDouble(i, j)));
            double s = maxAbs / 7;                     // signed 4 bits, symmetric: qmax = 7
            assertEquals(1, t.weightScales(l).length, "one step size per matrix");
            assertEquals(s, t.weightScales(l)[0], 1e-12, "min-max over the whole matrix");
            INDArray q = t.quantizedWeight(l);
            for (int i = 0; i < w.size(0); i++) {
                for (int j = 0; j < w.size(1); j++) {
                    double expect = s * Math.max(-8, Math.min(7, Math.rint(w.getDouble(i, j) / s)));
                    assertEquals(expect, q.getDouble(i, j), 1e-12, "per-tensor fake quantization at (" + i + "," + j + ")");
                }
            }
        }
        // the shrunken channel: per tensor rounds it onto at most 3 levels, per channel keeps its own grid
        double errT = t.quantizedWeight(0).getColumn(3).sub(model.linears().get(0).weight().value().getColumn(3)).norm2Number().doubleValue();
        double errC = c.quantizedWeight(0).getColumn(3).sub(model.linears().get(0).weight().value().getColumn(3)).norm2Number().doubleValue();
        assertTrue(errT > 5 * errC, "per-tensor steps should round a small channel far worse: " + errT + " vs " + errC);
        // and it trains: the single step size is a parameter with a gradient
        INDArray y = x.mmul(Nd4j.randn(DataType.DOUBLE, 16, 4)).argMax(1).castTo(DataType.INT);
        double before = t.weightScales(0)[0];
        new Trainer(t, Adam.adam(t.parameters(), 3e-3), TrainConfig.defaults().withProgress(false))
                .fitEpochs(x, y, 2, 16, batch -> Ops.crossEntropy(t.forward(batch.x()), batch.y()), () -> Map.of());
        assertNotEquals(before, t.weightScales(0)[0], "the per-tensor step size is learned (LSQ)");
    }
}
