package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hostile inputs to AWQ's clipping and scaling search: non-finite calibration activations or weights, output errors
 * that overflow double, empty shapes, bits 2 and 8, all-zero groups, a GPT calibrated on fewer tokens than its
 * context. Each must give a clear error or a correct result (checked against plain RTN), never a silent NaN or a
 * group silently holding another group's weights.
 */
class ClippingHostileInputTest {

    static double[][] randn(int r, int c, long seed) {
        return GptWeightOnlyTest.randn(r, c, seed);
    }

    static INDArray m(double[][] a) {
        return Nd4j.createFromArray(a);
    }

    @Test
    void nanOrInfCalibrationActivationsAreRefusedNotSilentlyUsed() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            double[][] x = randn(6, 8, 1);
            x[2][3] = bad;
            INDArray w = m(randn(8, 3, 2));
            var e = assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(m(x), w, 4, 4),
                    "calibration activations holding " + bad + " must be refused");
            assertTrue(e.getMessage().contains("finite"), e.getMessage());
            var s = assertThrows(IllegalArgumentException.class,
                    () -> ActivationAwareScaling.search("l", m(x), w, 4, 4, 5), "scaling search on " + bad);
            assertTrue(s.getMessage().contains("finite"), s.getMessage());
        }
    }

    /** Finite activations so large (1e200) that X^T X overflows: refused, not a NaN error or alpha from NaN scales. */
    @Test
    void activationsWhoseGramOverflowsAreRefused() {
        double[][] x = randn(6, 8, 1);
        for (double[] row : x) for (int j = 0; j < row.length; j++) row[j] *= 1e200;
        INDArray w = m(randn(8, 3, 2));
        for (int grid : new int[] {1, 5}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ActivationAwareScaling.search("l", m(x), w, 4, 4, grid),
                    "grid " + grid);
            assertTrue(e.getMessage().contains("overflow"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(m(x), w, 4, 4));
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
    }

    @Test
    void nanOrInfWeightsAreRefused() {
        for (double bad : new double[] {Double.NaN, Double.NEGATIVE_INFINITY}) {
            double[][] w = randn(8, 3, 2);
            w[5][1] = bad;
            assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(m(randn(6, 8, 1)), m(w), 4, 4));
        }
    }

    /**
     * Finite inputs whose output errors overflow double (|X| ~ 1e100, so X^T X is finite, |W| ~ 1e160): every candidate's error is +Inf,
     * none is "smaller than" the last, and each group must still hold its own RTN weights, not the previous group's.
     */
    @Test
    void overflowingErrorsStillGiveEachGroupItsOwnWeights() {
        double[][] x = randn(6, 8, 3), w = randn(8, 3, 4);
        for (double[] row : x) for (int j = 0; j < row.length; j++) row[j] *= 1e100;
        for (double[] row : w) for (int j = 0; j < row.length; j++) row[j] *= 1e160;
        var r = ActivationAwareClipping.quantize(m(x), m(w), 4, 4);
        INDArray rtn = GroupwiseRTN.quantize(m(w), 4, 4);
        double[][] got = r.weight().toDoubleMatrix(), want = rtn.toDoubleMatrix();
        for (int i = 0; i < 8; i++) {
            for (int o = 0; o < 3; o++) {
                assertEquals(want[i][o], got[i][o], Math.abs(want[i][o]) * 1e-12,
                        "W[" + i + "][" + o + "]: with every error +Inf the group must keep RTN (ratio 1), not a stale copy");
            }
        }
    }

    @Test
    void zeroCalibrationRowsOrEmptyWeightsAreRefused() {
        INDArray w = m(randn(8, 3, 2));
        INDArray gram = Nd4j.eye(8).castTo(DataType.DOUBLE);
        assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareClipping.quantize(gram, 0, w, 4, 4, new double[] {1, 0.9}), "n = 0 rows");
        assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareClipping.quantize(Nd4j.zeros(DataType.DOUBLE, 5, 0), Nd4j.zeros(DataType.DOUBLE, 0, 3), 4, 4),
                "in = 0");
        var e = assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareClipping.quantize(m(randn(5, 8, 1)), Nd4j.zeros(DataType.DOUBLE, 8, 0), 4, 4), "out = 0");
        assertTrue(e.getMessage().contains("[8, 0]"), e.getMessage());
    }

    @Test
    void bitsTwoAndEightMatchRtnAtRatioOneAndOthersAreRefused() {
        INDArray x = m(randn(10, 8, 5)), w = m(randn(8, 4, 6));
        for (int bits : new int[] {2, 8}) {
            var r = ActivationAwareClipping.quantize(x.transpose().mmul(x), 10, w, bits, 4, new double[] {1});
            assertEquals(0, GroupwiseRTN.quantize(w, bits, 4).sub(r.weight()).norm1Number().doubleValue(), 1e-12, "bits " + bits);
            var c = ActivationAwareClipping.quantize(x, w, bits, 4);
            assertTrue(c.clippedError() <= c.rtnError() + 1e-12 && Double.isFinite(c.clippedError()), "bits " + bits);
        }
        for (int bits : new int[] {0, 1, 9}) {
            assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(x, w, bits, 4), "bits " + bits);
        }
        assertThrows(org.bigmodels.engine.ShapeException.class, () -> ActivationAwareClipping.quantize(x, w, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(x, w, 4, 0));
    }

    @Test
    void allZeroAndConstantGroupsAreExact() {
        double[][] w = randn(8, 3, 7);
        for (int i = 0; i < 8; i++) w[i][1] = 0;        // a pruned column
        for (int i = 4; i < 8; i++) w[i][2] = 0.25;     // a constant group
        var r = ActivationAwareClipping.quantize(m(randn(9, 8, 8)), m(w), 3, 4);
        double[][] q = r.weight().toDoubleMatrix();
        for (int i = 0; i < 8; i++) assertEquals(0, q[i][1], 0, "pruned column");
        for (int i = 4; i < 8; i++) assertEquals(0.25, q[i][2], 1e-12, "constant group (0 and 0.25 on the grid)");
        assertTrue(Double.isFinite(r.rtnError()) && Double.isFinite(r.clippedError()));
    }

    @Test
    void tinyWeightsStayFinite() {
        double[][] w = randn(8, 2, 9);
        for (double[] row : w) for (int j = 0; j < row.length; j++) row[j] *= 1e-300;
        var r = ActivationAwareClipping.quantize(m(randn(9, 8, 8)), m(w), 4, 8);
        assertTrue(Double.isFinite(r.weight().sumNumber().doubleValue()));
        assertTrue(r.clippedError() <= r.rtnError());
    }

    /**
     * Subnormal weights: at 1 ulp (4.9e-324) the scale range / 15 underflows to 0 for every ratio and the weights came
     * back NaN (RTN refuses them: so must clipping); at 10 ulps RTN's scale is 1 ulp but clipped ratios underflow:
     * those candidates are skipped, the result is finite.
     */
    @Test
    void subnormalWeightsNeverComeBackNaN() {
        double u = Double.MIN_VALUE;
        INDArray x = m(randn(5, 4, 2));
        double[][] oneUlp = {{u, 0}, {-u, u}, {0, 0}, {u, -u}};
        assertThrows(IllegalArgumentException.class, () -> GroupwiseRTN.quantize(m(oneUlp), 4, 4), "RTN refuses");
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(x, m(oneUlp), 4, 4));
        assertTrue(e.getMessage().contains("underflow"), e.getMessage());
        double[][] tenUlp = {{10 * u, 0.5}, {-3 * u, -1}, {7 * u, 0.25}, {u, 2}};
        var r = ActivationAwareClipping.quantize(x, m(tenUlp), 4, 4);
        for (double[] row : r.weight().toDoubleMatrix()) for (double v : row) assertTrue(Double.isFinite(v), "weight " + v);
        assertTrue(Double.isFinite(r.rtnError()) && r.clippedError() <= r.rtnError(), r.toString());
    }

    /** Weights of ±Double.MAX_VALUE in one group: the range overflows, the scale is +Inf; refused, never NaN weights. */
    @Test
    void weightsWhoseRangeOverflowsAreRefused() {
        double big = Double.MAX_VALUE;
        INDArray x = m(randn(5, 4, 2)).muli(1e-160);
        double[][] w = {{big, 0.5}, {-big, -1}, {0, 0.25}, {big / 2, 2}};
        assertThrows(IllegalArgumentException.class, () -> GroupwiseRTN.quantize(m(w), 4, 4), "RTN refuses");
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(x, m(w), 4, 4));
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
        double[][] w307 = {{1e307, 0.5}, {-1e307, -1}, {0, 0.25}, {5e306, 2}};
        var r = ActivationAwareClipping.quantize(x, m(w307), 4, 4);
        for (double[] row : r.weight().toDoubleMatrix()) for (double v : row) assertTrue(Double.isFinite(v), "weight " + v);
    }

    @Test
    void gptCalibratedOnFewerTokensThanItsContext() {
        GPT gpt = new GPT(GPTConfig.tiny(11).withNLayer(1).withNEmbd(16, 2).withBlockSize(8).withSeed(3));
        INDArray shortCalib = Nd4j.createFromArray(new int[][] {{1, 2, 3}, {4, 5, 6}});
        GPT c = ActivationAwareClipping.quantize(gpt, shortCalib, 4, 8);
        var a = ActivationAwareScaling.quantize(gpt, shortCalib, 4, 8, 4, true);
        INDArray ids = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}});
        assertTrue(Double.isFinite(c.forward(ids).value().sumNumber().doubleValue()));
        assertTrue(Double.isFinite(a.model().forward(ids).value().sumNumber().doubleValue()));
        assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareClipping.quantize(gpt, Nd4j.zeros(DataType.INT, 0, 8), 4, 8), "no calibration rows");
        assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareScaling.quantize(gpt, Nd4j.zeros(DataType.INT, 0, 8), 4, 8, 4, true), "no calibration rows");
        assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareClipping.quantize(gpt, Nd4j.zeros(DataType.INT, 2, 9), 4, 8), "longer than the context");
    }
}
