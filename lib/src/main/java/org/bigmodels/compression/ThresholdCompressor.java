package org.bigmodels.compression;

import java.util.Arrays;

/**
 * Threshold sparsification with error feedback (Strom 2015): of {@code v = gradient + residual}, every element with
 * {@code |v_i| >= tau} is sent as {@code sign(v_i)·tau} (an index with a sign bit, 4 bytes), and the residual keeps
 * {@code v_i - sign(v_i)·tau}; smaller elements stay whole in the residual. A large element therefore drains over
 * several steps, tau at a time. This is the encoding of DL4J's gradient sharing (threshold algorithm of its
 * {@code EncodedGradientsAccumulator}).
 *
 * <p>Source: N. Strom, "Scalable distributed DNN training using commodity GPU cloud computing", Interspeech 2015,
 * section 3. The number sent per step is data-dependent, unlike {@link TopKCompressor}.
 *
 * <p>Errors: tau must be finite and &gt; 0 (IllegalArgumentException): with tau = 0 every element would be sent
 * as ±0, nothing would ever be applied, and the residual would grow without bound.
 */
public final class ThresholdCompressor extends ErrorFeedbackCompressor {
    private final float tau;

    /**
     * @param tau the threshold and the magnitude sent, in gradient units, &gt; 0
     * @throws IllegalArgumentException if tau &le; 0 or not finite
     */
    public ThresholdCompressor(float tau) {
        if (!(tau > 0) || !Float.isFinite(tau)) {
            throw new IllegalArgumentException("ThresholdCompressor: tau must be finite and > 0 (a negative or zero "
                    + "threshold sends nothing useful), got " + tau);
        }
        this.tau = tau;
    }

    /** The threshold. */
    public float tau() {
        return tau;
    }

    @Override
    protected CompressedGradient encode(float[] v) {
        int[] idx = new int[v.length];
        int n = 0;
        for (int i = 0; i < v.length; i++) if (Math.abs(v[i]) >= tau) idx[n++] = i;
        idx = Arrays.copyOf(idx, n);
        float[] vals = new float[n];
        for (int j = 0; j < n; j++) vals[j] = v[idx[j]] > 0 ? tau : -tau;
        return SparseGradient.signed(v.length, idx, vals, tau);
    }

    @Override
    public String toString() {
        return "Threshold(tau=" + tau + ")";
    }
}
