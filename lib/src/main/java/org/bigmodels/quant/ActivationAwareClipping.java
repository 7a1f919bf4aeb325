package org.bigmodels.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Linear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation-aware clipping, the second half of AWQ (Lin et al. 2023; the clipping search of its reference code,
 * "auto_clip"): group-wise round-to-nearest spends its 2^b levels on the group's full range, set by its largest
 * weight; shrinking the range to r·max|w| clips that weight but gives every other weight of the group a finer grid.
 * Whether that pays depends on the inputs the weights meet, so r is chosen, per group and output channel, for the
 * least error of the group's share of the layer output on calibration activations, not of the weights themselves
 * (compare {@link MseObserver}, which minimizes the weights' own error and knows nothing of the inputs).
 *
 * <p>For W [in, out] with groups of g consecutive input rows per output column (as {@link GroupwiseRTN}): group k of
 * column o, w = W[kg..kg+g, o], is clamped to [-r M, r M] with M = max|w|, then quantized affinely over the clamped
 * values' min-max range (as RTN). Its error is the squared error of its partial output over the N calibration rows,
 * ||X_k (w - ŵ)||² = (w - ŵ)ᵀ G_kk (w - ŵ), G_kk the g×g diagonal block of the Gram matrix G = Xᵀ X. r runs over
 * 1, 1 - 1/n, ..., 1 - s + 1/n (AWQ: n = 20 steps, shrinking by at most s = 0.5); r = 1 is plain RTN, so the search
 * can only match or beat RTN on the calibration data.
 */
public final class ActivationAwareClipping {
    private ActivationAwareClipping() {}

    /** AWQ's grid: ratios 1, 0.95, ..., 0.55. */
    public static final int GRID = 20;
    /** The largest grid accepted: each ratio costs a pass over every group. */
    public static final int MAX_GRID = 1000;
    /** AWQ's largest shrink of a group's range: half. */
    public static final double MAX_SHRINK = 0.5;

    /**
     * A clipped layer: its fake-quantized weight [in, out] (W's type), the ratio r chosen per group ([in / g][out],
     * row k = group k), and the calibration output error, summed over groups and divided by N·out, of RTN (r = 1) and
     * of the clipped weight.
     */
    public record LayerResult(INDArray weight, double[][] ratio, double rtnError, double clippedError) {}

    /**
     * The clipping ratios searched: 1 - i/grid for i = 0 .. while the shrink i/grid is below maxShrink.
     *
     * @throws IllegalArgumentException if grid is outside 1..{@link #MAX_GRID} or maxShrink is not in [0, 1)
     */
    public static double[] ratios(int grid, double maxShrink) {
        if (grid < 1 || grid > MAX_GRID || !(maxShrink >= 0 && maxShrink < 1)) {
            throw new IllegalArgumentException("ActivationAwareClipping: expected grid in 1.." + MAX_GRID + " (AWQ uses "
                    + GRID + ") and maxShrink in [0, 1), got " + grid + " and " + maxShrink);
        }
        List<Double> r = new ArrayList<>();
        for (int i = 0; i == 0 || (double) i / grid < maxShrink - 1e-12; i++) r.add(1 - (double) i / grid);
        return r.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * W [in, out] clip-searched and quantized with calibration activations X [N, in] (AWQ's grid).
     *
     * @throws IllegalArgumentException if bits is outside 2..8, groupSize < 1, X is not [N, in] (N, in, out >= 1), or X or W
     *                                  holds a NaN or an infinity
     * @throws org.bigmodels.engine.ShapeException if in is not a multiple of the group size
     */
    public static LayerResult quantize(INDArray x, INDArray w, int bits, int groupSize) {
        if (x.rank() != 2 || w.rank() != 2 || x.size(1) != w.size(0) || x.length() == 0 || w.length() == 0) {
            throw new IllegalArgumentException("ActivationAwareClipping: expected X [N, in] and W [in, out] with the same in "
                    + "and N, in, out >= 1, got X "
                    + Arrays.toString(x.shape()) + " and W " + Arrays.toString(w.shape()));
        }
        INDArray xd = x.castTo(DataType.DOUBLE);
        requireFinite("ActivationAwareClipping", xd, "the calibration activations X " + Arrays.toString(x.shape()));
        return quantize(xd.transpose().mmul(xd), x.size(0), w, bits, groupSize, ratios(GRID, MAX_SHRINK));
    }

    /**
     * The search from the Gram matrix G = Xᵀ X [in, in] of n calibration rows (a group size above in means one group
     * per column, as {@link GroupwiseRTN#quantize(INDArray, int, int)}).
     *
     * @throws IllegalArgumentException if bits is outside 2..8, groupSize < 1, ratios is empty or outside (0, 1], G
     *                                  is not [in, in], in, out or n is 0, or G or W holds a NaN or an infinity
     * @throws org.bigmodels.engine.ShapeException if in is not a multiple of the group size
     */
    public static LayerResult quantize(INDArray gram, long n, INDArray w, int bits, int groupSize, double[] ratios) {
        if (w.rank() != 2 || gram.rank() != 2 || gram.size(0) != w.size(0) || gram.size(1) != w.size(0) || w.length() == 0
                || n < 1) {
            throw new IllegalArgumentException("ActivationAwareClipping: expected W [in, out] and G [in, in] with in, out >= 1, "
                    + "from n >= 1 calibration rows, got W " + Arrays.toString(w.shape()) + ", G "
                    + Arrays.toString(gram.shape()) + " and n = " + n);
        }
        requireFinite("ActivationAwareClipping", gram, "the Gram matrix G = X^T X (a NaN or infinity in X, or |X| so large that X^T X overflows "
                + "double: rescale the activations)");
        requireFinite("ActivationAwareClipping", w, "the weight W " + Arrays.toString(w.shape()));
        if (groupSize < 1) throw new IllegalArgumentException("ActivationAwareClipping: expected groupSize >= 1, got " + groupSize);
        if (ratios.length == 0 || Arrays.stream(ratios).anyMatch(r -> !(r > 0 && r <= 1))) {
            throw new IllegalArgumentException("ActivationAwareClipping: expected ratios in (0, 1], got " + Arrays.toString(ratios));
        }
        IntFormat format = GroupwiseRTN.quantizer(bits, 1).format();
        int in = (int) w.size(0), out = (int) w.size(1), g = Math.min(groupSize, in);
        if (in % g != 0) {
            throw new org.bigmodels.engine.ShapeException("ActivationAwareClipping", "in (" + in + ") divisible by the group size "
                    + g, Arrays.toString(w.shape()));
        }
        double[][] wd = w.castTo(DataType.DOUBLE).toDoubleMatrix(), gd = gram.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] q = new double[in][out], chosen = new double[in / g][out];
        double[] col = new double[g], deq = new double[g], best = new double[g], diff = new double[g];
        double rtnErr = 0, clipErr = 0;
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in / g; k++) {
                double max = 0;
                for (int i = 0; i < g; i++) {
                    col[i] = wd[k * g + i][o];
                    max = Math.max(max, Math.abs(col[i]));
                }
                double bestErr = Double.POSITIVE_INFINITY, bestR = 1;
                for (int ri = 0; ri < ratios.length; ri++) {
                    if (max == 0) { // an all-zero group (a pruned channel): exactly representable, nothing to clip
                        Arrays.fill(deq, 0);
                    } else if (!quantizeClamped(col, ratios[ri] * max, format, deq)) { // the scale under/overflowed
                        if (ri > 0) continue;                                            // skip this ratio
                        throw new IllegalArgumentException("ActivationAwareClipping: group " + k + " of column " + o
                                + " has max|w| = " + max + ": its scale (range / " + (format.qmax() - format.qmin())
                                + ") underflows to 0 or its range overflows double; expected weights between about "
                                + "1e-300 and 1e300 (rescale the layer, or zero the group)");
                    }
                    for (int i = 0; i < g; i++) diff[i] = col[i] - deq[i];
                    double e = quadratic(gd, k * g, diff);
                    if (ri == 0) rtnErr += e;
                    if (ri == 0 || e < bestErr) { // ri == 0: RTN even if every error overflows to +Inf
                        bestErr = e;
                        bestR = ratios[ri];
                        System.arraycopy(deq, 0, best, 0, g);
                    }
                    if (max == 0) break;
                }
                clipErr += bestErr;
                chosen[k][o] = bestR;
                for (int i = 0; i < g; i++) q[k * g + i][o] = best[i];
            }
        }
        double norm = (double) n * out;
        return new LayerResult(Nd4j.createFromArray(q).castTo(w.dataType()), chosen, rtnErr / norm, clipErr / norm);
    }

    /**
     * w clamped to [-c, c], then fake-quantized affinely over the clamped values' own range (as {@link GroupwiseRTN}),
     * into out. With c = max|w| this is plain RTN.
     *
     * @return false (out unusable) if the range is so small (subnormal) that the scale underflows to 0, or so large
     *         that it overflows to infinity
     */
    static boolean quantizeClamped(double[] w, double c, IntFormat format, double[] out) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : w) {
            double cv = Math.max(-c, Math.min(c, v));
            lo = Math.min(lo, cv);
            hi = Math.max(hi, cv);
        }
        double[] sz = QuantScheme.AFFINE.params(lo, hi, format);
        double s = sz[0], z = sz[1];
        if (!(s > 0 && s < Double.POSITIVE_INFINITY)) return false;
        for (int i = 0; i < w.length; i++) {
            double qv = Math.rint(Math.max(-c, Math.min(c, w[i])) / s) + z;
            qv = Math.max(format.qmin(), Math.min(format.qmax(), qv));
            out[i] = s * (qv - z);
        }
        return true;
    }

    /** @throws IllegalArgumentException from {@code op}, naming {@code what}, if a holds a NaN or an infinity */
    static void requireFinite(String op, INDArray a, String what) {
        if (a.length() > 0 && !Double.isFinite(a.castTo(DataType.DOUBLE).sumNumber().doubleValue())
                && Arrays.stream(a.castTo(DataType.DOUBLE).dup('c').data().asDouble()).anyMatch(v -> !Double.isFinite(v))) {
            throw new IllegalArgumentException(op + ": expected finite values in " + what
                    + ", got a NaN or an infinity; check the model and calibration data for overflow");
        }
    }

    /** dᵀ G[off..off+g, off..off+g] d. */
    private static double quadratic(double[][] gram, int off, double[] d) {
        double e = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == 0) continue;
            double row = 0;
            double[] gi = gram[off + i];
            for (int j = 0; j < d.length; j++) row += gi[off + j] * d[j];
            e += d[i] * row;
        }
        return e;
    }

    /**
     * A copy of the GPT with every block Linear group-wise quantized with activation-aware clipping (no scaling):
     * inputs captured on {@code calibration} token ids [B, T] from the float model ({@link LinearInputs}). The model
     * passed in is unchanged. For AWQ's full recipe (scaling, then clipping) see
     * {@link ActivationAwareScaling#quantize(GPT, INDArray, int, int, int, boolean)}. Calls on one model from several
     * threads take turns for the capture (it switches the model to evaluation mode and back).
     */
    public static GPT quantize(GPT model, INDArray calibration, int bits, int groupSize) {
        var calibrated = GroupwiseRTN.captureAndCopy(model, calibration);
        Map<Linear, INDArray> inputs = calibrated.inputs();
        GPT copy = calibrated.copy();
        List<Linear> src = GroupwiseRTN.blockLinears(model), dst = GroupwiseRTN.blockLinears(copy);
        for (int i = 0; i < src.size(); i++) {
            INDArray x = inputs.get(src.get(i));
            if (x == null) throw new IllegalStateException("ActivationAwareClipping: no input captured for block Linear " + i);
            dst.get(i).weight().value().assign(quantize(x, src.get(i).weight().value(), bits, groupSize).weight());
        }
        return copy;
    }
}
