package org.bigmodels.quant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Linear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation-aware weight-only quantization, the idea of AWQ (Lin et al. 2023, "AWQ: Activation-aware Weight
 * Quantization for LLM Compression and Acceleration", section 3): the few input channels that carry large activations
 * matter most to a layer's output, so scale them up before rounding the weights and scale the input down by the same
 * factor: y = x W = (x diag(s)^-1) (diag(s) W), quantized as (x diag(s)^-1) Q(diag(s) W). A channel scaled by s > 1
 * has its relative rounding error cut by s (as long as the group's range, set by its largest weight, barely moves).
 *
 * <p>The scales come from calibration activations X [N, in]: s_j = mean_n |X_nj|^alpha, normalised by
 * sqrt(max s * min s) (section 3.3, equation 5), alpha searched on the grid 0, 1/n, ..., (n-1)/n for the least
 * output error ||X W - X Ŵ(alpha)||² / (N out) of the layer; alpha = 0 is plain RTN, so the search can only match or
 * beat it on the calibration data. Here the factor 1/s is folded back into the dequantized weight
 * (Ŵ = diag(s)^-1 Q(diag(s) W)), the same numbers as folding it into the previous layer norm as AWQ does. Rounding is
 * group-wise RTN ({@link GroupwiseRTN}); AWQ's second step, a clipping search per group, is {@link ActivationAwareClipping}
 * (applied after the scales with {@code clip = true}).
 */
public final class ActivationAwareScaling {
    private ActivationAwareScaling() {}

    /** One layer's search: the alpha chosen and the output error (mean squared) of RTN and of the scaled variant. */
    public record LayerResult(String layer, double alpha, double rtnError, double scaledError) {}

    /** A quantized model and the per-layer search results. */
    public record Result(GPT model, List<LayerResult> layers) {}

    /**
     * The mean magnitude of each input channel, mean_n |X_nj|, of X [N, in].
     *
     * @throws IllegalArgumentException if X is not rank 2 or is empty
     */
    public static double[] channelMagnitude(INDArray x) {
        if (x.rank() != 2 || x.length() == 0) {
            throw new IllegalArgumentException("ActivationAwareScaling: expected calibration activations [N, in], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        return org.nd4j.linalg.ops.transforms.Transforms.abs(x.castTo(DataType.DOUBLE), true).mean(0).toDoubleVector();
    }

    /** The per-channel scales mean|x|^alpha, normalised by sqrt(max * min); all 1 at alpha = 0. */
    public static double[] scales(double[] magnitude, double alpha) {
        double[] s = new double[magnitude.length];
        double max = 0, min = Double.POSITIVE_INFINITY;
        for (int j = 0; j < s.length; j++) {
            s[j] = Math.max(Math.pow(magnitude[j], alpha), 1e-4); // a dead channel keeps a tiny positive scale
            max = Math.max(max, s[j]);
            min = Math.min(min, s[j]);
        }
        double norm = Math.sqrt(max * min);
        for (int j = 0; j < s.length; j++) s[j] /= norm;
        return s;
    }

    /**
     * diag(s)^-1 Q(diag(s) W) for W [in, out] (row j of W multiplied by s_j before group-wise RTN, divided after),
     * in W's type.
     */
    public static INDArray quantizeScaled(INDArray w, double[] s, int bits, int groupSize) {
        if (w.rank() != 2 || s.length != w.size(0)) {
            throw new IllegalArgumentException("ActivationAwareScaling: expected W [in, out] and in = " + s.length
                    + " scales, got W " + java.util.Arrays.toString(w.shape()));
        }
        INDArray col = Nd4j.createFromArray(s).reshape(s.length, 1);
        INDArray scaled = w.castTo(DataType.DOUBLE).mulColumnVector(col);
        INDArray q = GroupwiseRTN.quantize(scaled, bits, groupSize);
        return q.diviColumnVector(col).castTo(w.dataType());
    }

    /** ||X W - X Ŵ||² / (N out), in double. */
    public static double outputError(INDArray x, INDArray w, INDArray wHat) {
        INDArray d = x.castTo(DataType.DOUBLE).mmul(w.castTo(DataType.DOUBLE).sub(wHat.castTo(DataType.DOUBLE)));
        return d.mul(d).sumNumber().doubleValue() / d.length();
    }

    private static double absMax(INDArray x) {
        return x.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
    }

    /** X^T X [in, in] of X [N, in], in double: the layer's output error needs only this (see below). */
    static INDArray gram(INDArray x) {
        INDArray xd = x.castTo(DataType.DOUBLE);
        return xd.transpose().mmul(xd);
    }

    /**
     * The same error from the Gram matrix G = X^T X of N rows: ||X D||² = sum_jk D_jk (G D)_jk with D = W - Ŵ, so
     * each grid point costs in² out instead of N in out multiply-adds.
     */
    static double outputError(INDArray gram, long n, INDArray w, INDArray wHat) {
        INDArray d = w.castTo(DataType.DOUBLE).sub(wHat.castTo(DataType.DOUBLE));
        return gram.mmul(d).muli(d).sumNumber().doubleValue() / (n * d.size(1));
    }

    /**
     * The alpha on the grid {0, 1/n, ..., (n-1)/n} with the least output error for this layer, and both errors.
     *
     * @throws IllegalArgumentException if gridPoints is outside 1..{@link ActivationAwareClipping#MAX_GRID}, the shapes
     *                                  disagree (X [N, in], W [in, out]) or X holds a NaN or an infinity
     */
    public static LayerResult search(String name, INDArray x, INDArray w, int bits, int groupSize, int gridPoints) {
        if (gridPoints < 1 || gridPoints > ActivationAwareClipping.MAX_GRID) {
            throw new IllegalArgumentException("ActivationAwareScaling: expected gridPoints in 1.." + ActivationAwareClipping.MAX_GRID
                    + " (AWQ uses 20), got " + gridPoints);
        }
        if (x.rank() != 2 || x.size(1) != w.size(0)) {
            throw new IllegalArgumentException("ActivationAwareScaling: expected X [N, " + w.size(0) + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        ActivationAwareClipping.requireFinite("ActivationAwareScaling", x, "the calibration activations X of layer " + name
                + " " + java.util.Arrays.toString(x.shape()));
        double[] mag = channelMagnitude(x);
        INDArray gram = gram(x);
        ActivationAwareClipping.requireFinite("ActivationAwareScaling", gram, "X^T X of layer " + name + " (|X| up to "
                + absMax(x) + ": so large that X^T X overflows double; rescale the activations)");
        long n = x.size(0);
        double rtn = outputError(gram, n, w, GroupwiseRTN.quantize(w, bits, groupSize));
        double best = rtn, bestAlpha = 0;
        for (int i = 1; i < gridPoints; i++) {
            double alpha = (double) i / gridPoints;
            double e = outputError(gram, n, w, quantizeScaled(w, scales(mag, alpha), bits, groupSize));
            if (e < best) {
                best = e;
                bestAlpha = alpha;
            }
        }
        return new LayerResult(name, bestAlpha, rtn, best);
    }

    /**
     * A copy of the GPT with every block Linear quantized activation-aware: inputs captured on {@code calibration}
     * token ids [B, T] from the float model ({@link LinearInputs}), alpha searched per layer on {@code gridPoints}
     * values (AWQ uses 20). The model passed in is unchanged.
     */
    public static Result quantize(GPT model, INDArray calibration, int bits, int groupSize, int gridPoints) {
        return quantize(model, calibration, bits, groupSize, gridPoints, false);
    }

    /**
     * As {@link #quantize(GPT, INDArray, int, int, int)}; with {@code clip}, AWQ's full recipe: after the scales,
     * each group's range is clipped by {@link ActivationAwareClipping} on the scaled weight diag(s) W and the scaled
     * inputs X diag(s)^-1 (Gram diag(s)^-1 G diag(s)^-1), and the layer's {@link LayerResult#scaledError} is the error
     * after both steps. Calls on one model from several threads take turns for the capture (it switches the model to
     * evaluation mode and back).
     */
    public static Result quantize(GPT model, INDArray calibration, int bits, int groupSize, int gridPoints, boolean clip) {
        var calibrated = GroupwiseRTN.captureAndCopy(model, calibration);
        Map<Linear, INDArray> inputs = calibrated.inputs();
        GPT copy = calibrated.copy();
        List<Linear> src = GroupwiseRTN.blockLinears(model), dst = GroupwiseRTN.blockLinears(copy);
        var names = new java.util.IdentityHashMap<Linear, String>();
        model.namedParameters().forEach((n, t) -> {
            for (Linear l : src) if (l.weight() == t) names.put(l, n.substring(0, n.length() - ".weight".length()));
        });
        List<LayerResult> results = new ArrayList<>();
        for (int i = 0; i < src.size(); i++) {
            Linear l = src.get(i);
            INDArray x = inputs.get(l);
            if (x == null) throw new IllegalStateException("ActivationAwareScaling: no input captured for " + names.get(l));
            INDArray w = l.weight().value();
            LayerResult r = search(names.get(l), x, w, bits, groupSize, gridPoints);
            INDArray wHat;
            if (clip) {
                double[] s = scales(channelMagnitude(x), r.alpha());
                INDArray col = Nd4j.createFromArray(s).reshape(s.length, 1);
                INDArray g = gram(x);
                INDArray gs = g.divColumnVector(col).diviRowVector(col.reshape(1, s.length));   // diag(s)^-1 G diag(s)^-1
                var c = ActivationAwareClipping.quantize(gs, x.size(0), w.castTo(DataType.DOUBLE).mulColumnVector(col),
                        bits, groupSize, ActivationAwareClipping.ratios(ActivationAwareClipping.GRID, ActivationAwareClipping.MAX_SHRINK));
                wHat = c.weight().diviColumnVector(col).castTo(w.dataType());
                r = new LayerResult(r.layer(), r.alpha(), r.rtnError(), outputError(g, x.size(0), w, wHat));
            } else {
                wHat = r.alpha() == 0 ? GroupwiseRTN.quantize(w, bits, groupSize)
                        : quantizeScaled(w, scales(channelMagnitude(x), r.alpha()), bits, groupSize);
            }
            results.add(r);
            dst.get(i).weight().value().assign(wHat);
        }
        return new Result(copy, results);
    }
}
