package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.Linear;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation-aware clipping against plain loops in double: ratio 1 alone is RTN exactly; each group's chosen ratio is
 * the brute-force best of its partial output error computed from X itself (not the Gram matrix); the same weights
 * are clipped or not depending on the inputs they meet; bad arguments are refused.
 */
class ActivationAwareClippingTest {

    static double[][] randn(int r, int c, long seed) {
        return GptWeightOnlyTest.randn(r, c, seed);
    }

    /** Plain loop: group k of column o clamped to ±r·max|w|, affine b-bit over the clamped min-max (0 included). */
    static double[] clampQuantize(double[] w, double r, int bits) {
        double m = 0;
        for (double v : w) m = Math.max(m, Math.abs(v));
        double c = r * m, lo = 0, hi = 0;
        double[] cl = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            cl[i] = Math.max(-c, Math.min(c, w[i]));
            lo = Math.min(lo, cl[i]);
            hi = Math.max(hi, cl[i]);
        }
        int qmax = (1 << bits) - 1;
        double s = (hi - lo) / qmax;
        long z = Math.max(0, Math.min(qmax, Math.round(-lo / s)));
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double q = Math.max(0, Math.min(qmax, Math.rint(cl[i] / s) + z));
            out[i] = s * (q - z);
        }
        return out;
    }

    /** ||X_k (w - ŵ)||², summed over the N rows of X, from X itself. */
    static double partialError(double[][] x, int off, double[] w, double[] wHat) {
        double e = 0;
        for (double[] row : x) {
            double d = 0;
            for (int i = 0; i < w.length; i++) d += row[off + i] * (w[i] - wHat[i]);
            e += d * d;
        }
        return e;
    }

    @Test
    void ratiosAreAwqsGrid() {
        assertArrayEquals(new double[] {1, .95, .9, .85, .8, .75, .7, .65, .6, .55},
                ActivationAwareClipping.ratios(20, 0.5), 1e-12, "AWQ's grid: 10 ratios from 1 down to 0.55, never 0.5");
        assertArrayEquals(new double[] {1}, ActivationAwareClipping.ratios(20, 0), 0, "no shrink: RTN only");
    }

    @Test
    void ratioOneAloneIsRtn() {
        int in = 16, out = 5, g = 8;
        double[][] x = randn(40, in, 2);
        INDArray w = Nd4j.createFromArray(randn(in, out, 3)).castTo(DataType.FLOAT);
        INDArray xd = Nd4j.createFromArray(x);
        var r = ActivationAwareClipping.quantize(xd.transpose().mmul(xd), x.length, w, 3, g, new double[] {1});
        assertEquals(GroupwiseRTN.quantize(w, 3, g), r.weight(), "with only r = 1 the search must be group-wise RTN");
        assertEquals(r.rtnError(), r.clippedError(), 1e-12);
    }

    @Test
    void eachGroupGetsTheBruteForceBestRatio() {
        int in = 12, out = 4, g = 4, bits = 3, n = 30;
        double[][] x = randn(n, in, 5), w = randn(in, out, 6);
        w[1][2] = 6; // an outlier weight, so clipping has something to trade
        var r = ActivationAwareClipping.quantize(Nd4j.createFromArray(x), Nd4j.createFromArray(w), bits, g);
        double[] ratios = ActivationAwareClipping.ratios(20, 0.5);
        double rtnTotal = 0, bestTotal = 0;
        double[][] got = r.weight().toDoubleMatrix();
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in / g; k++) {
                double[] col = new double[g];
                for (int i = 0; i < g; i++) col[i] = w[k * g + i][o];
                double best = Double.POSITIVE_INFINITY, bestR = 0;
                double[] bestQ = null;
                for (double ratio : ratios) {
                    double[] q = clampQuantize(col, ratio, bits);
                    double e = partialError(x, k * g, col, q);
                    if (ratio == 1) rtnTotal += e;
                    if (e < best) {
                        best = e;
                        bestR = ratio;
                        bestQ = q;
                    }
                }
                bestTotal += best;
                assertEquals(bestR, r.ratio()[k][o], 1e-12, "group " + k + " of column " + o + ": not the ratio with the least output error");
                for (int i = 0; i < g; i++) assertEquals(bestQ[i], got[k * g + i][o], 1e-12, "dequantized weight " + (k * g + i) + "," + o);
            }
        }
        assertEquals(rtnTotal / (n * out), r.rtnError(), 1e-9 * rtnTotal);
        assertEquals(bestTotal / (n * out), r.clippedError(), 1e-9 * bestTotal);
        assertTrue(r.clippedError() < r.rtnError(), "the outlier's group should be clipped for a lower error");
    }

    @Test
    void theInputsDecideWhetherAnOutlierIsClipped() {
        // one group, one column: an outlier weight on input channel 0, small weights elsewhere
        int in = 8, n = 64;
        double[][] w = new double[in][1];
        Random rng = new Random(9);
        for (int i = 1; i < in; i++) w[i][0] = 0.3 * rng.nextGaussian();
        w[0][0] = 4;
        double[][] quiet = randn(n, in, 10), loud = randn(n, in, 10);
        for (int t = 0; t < n; t++) {
            quiet[t][0] *= 1e-3; // the outlier meets almost no input: clipping it is nearly free
            loud[t][0] *= 100;   // the outlier meets large inputs: clipping it is costly
        }
        INDArray wd = Nd4j.createFromArray(w);
        var q = ActivationAwareClipping.quantize(Nd4j.createFromArray(quiet), wd, 3, 8);
        var l = ActivationAwareClipping.quantize(Nd4j.createFromArray(loud), wd, 3, 8);
        assertTrue(q.ratio()[0][0] < 1, "an outlier weight whose input is near zero should be clipped, got r = " + q.ratio()[0][0]);
        assertEquals(1.0, l.ratio()[0][0], "an outlier weight meeting large inputs should keep its full range");
        assertTrue(q.clippedError() < 0.8 * q.rtnError(), "clipping the idle outlier should cut the error by a fifth at least, got "
                + q.clippedError() + " vs RTN " + q.rtnError());
    }

    @Test
    void anAllZeroGroupStaysZero() {
        double[][] w = randn(8, 2, 11);
        for (int i = 0; i < 4; i++) w[i][1] = 0;
        var r = ActivationAwareClipping.quantize(Nd4j.createFromArray(randn(20, 8, 12)), Nd4j.createFromArray(w), 4, 4);
        for (int i = 0; i < 4; i++) assertEquals(0.0, r.weight().getDouble(i, 1), "a pruned group must stay exactly 0");
        assertEquals(1.0, r.ratio()[0][1]);
    }

    @Test
    void badArgumentsAreRefused() {
        INDArray w = Nd4j.createFromArray(randn(8, 2, 1)), x = Nd4j.createFromArray(randn(5, 8, 2));
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(x, w, 9, 4));
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(x, w, 4, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ActivationAwareClipping.quantize(Nd4j.createFromArray(randn(5, 7, 2)), w, 4, 4));
        assertThrows(org.bigmodels.engine.ShapeException.class, () -> ActivationAwareClipping.quantize(x, w, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.ratios(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.ratios(20, 1));
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.quantize(
                x.transpose().mmul(x), 5, w, 4, 4, new double[] {1.5}));
    }

    @Test
    void theGptRecipeLeavesTheFloatModelAloneAndScalesPlusClipMatchTheLayerClosedForm() {
        GPT gpt = new GPT(GPTConfig.tiny(11).withNLayer(1).withNEmbd(16, 2).withBlockSize(8).withSeed(3));
        Linear qkv = GroupwiseRTN.blockLinears(gpt).get(0);
        INDArray before = qkv.weight().value().dup();
        INDArray calib = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}});
        GPT clipped = ActivationAwareClipping.quantize(gpt, calib, 3, 8);
        var both = ActivationAwareScaling.quantize(gpt, calib, 3, 8, 5, true);
        assertEquals(before, qkv.weight().value(), "the float model must be unchanged");
        var inputs = LinearInputs.capture(gpt, () -> gpt.forward(calib));
        INDArray x = inputs.get(qkv);
        INDArray expect = ActivationAwareClipping.quantize(x, qkv.weight().value(), 3, 8).weight();
        assertTrue(expect.equalsWithEps(GroupwiseRTN.blockLinears(clipped).get(0).weight().value(), 1e-6),
                "clip-only GPT: qkv must be the layer's own clipping search on its captured inputs");
        // scale + clip: diag(s)^-1 Clip(diag(s) W) with the layer's chosen alpha
        double alpha = both.layers().get(0).alpha();
        double[] s = ActivationAwareScaling.scales(ActivationAwareScaling.channelMagnitude(x), alpha);
        INDArray col = Nd4j.createFromArray(s).reshape(s.length, 1);
        INDArray xs = x.castTo(DataType.DOUBLE).divRowVector(col.reshape(1, s.length));
        INDArray ws = qkv.weight().value().castTo(DataType.DOUBLE).mulColumnVector(col);
        INDArray viaScaledInputs = ActivationAwareClipping.quantize(xs, ws, 3, 8).weight().divColumnVector(col);
        assertTrue(viaScaledInputs.castTo(DataType.FLOAT).equalsWithEps(
                        GroupwiseRTN.blockLinears(both.model()).get(0).weight().value(), 1e-5),
                "scale + clip must clip the scaled weight against the scaled inputs X diag(s)^-1");
    }
}
