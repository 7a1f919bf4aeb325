package org.bigmodels.exercises.lesson06;

import org.bigmodels.compression.CompressedGradient;
import org.bigmodels.compression.GradientCompressor;
import org.bigmodels.compression.SparseGradient;

/**
 * Exercise 06.3 (lesson 06-parameter-servers-and-async): top-k sparsification with error feedback, as a
 * {@link GradientCompressor} that plugs in wherever the library's {@code TopKCompressor} does.
 *
 * <p>Keep a residual r (float[length], zeros before the first call). On each call: v = g + r (in float, element by
 * element); send the k elements of v with the largest |v| (ties: the lower index first) as a
 * {@link SparseGradient#of} (4-byte index + 4-byte value each: 8k bytes on the wire); keep everything else of v as
 * the new residual (so r' = v − sent, and sent + r' == g + r exactly). What is not sent now is only delayed: small
 * gradients accumulate in r until they are large enough to be sent (Strom 2015; Aji and Heafield 2017; Lin et al.,
 * "Deep gradient compression", ICLR 2018).
 *
 * <p>Replace the {@code throw}s below with your code, then run {@code ./course grade 06}.
 */
public final class TopKSparsifier implements GradientCompressor {
    private final int k;
    private float[] residual;

    /**
     * @param k how many elements to send per call, &ge; 1
     * @throws IllegalArgumentException if k &lt; 1
     */
    public TopKSparsifier(int k) {
        if (k < 1) throw new IllegalArgumentException("TopKSparsifier: expected k >= 1, got " + k);
        this.k = k;
    }

    /**
     * @throws IllegalArgumentException for a null or empty gradient, a non-finite element (named), k &gt; length, or
     *     a length different from the first call's
     */
    @Override
    public CompressedGradient compress(float[] gradient) {
        if (gradient == null || gradient.length == 0) {
            throw new IllegalArgumentException("TopKSparsifier: expected a non-empty gradient, got "
                    + (gradient == null ? "null" : "length 0"));
        }
        if (k > gradient.length) {
            throw new IllegalArgumentException("TopKSparsifier: k = " + k + " exceeds the gradient length "
                    + gradient.length);
        }
        if (residual == null) residual = new float[gradient.length];
        if (residual.length != gradient.length) {
            throw new IllegalArgumentException("TopKSparsifier: gradient length " + gradient.length
                    + " differs from the first call's " + residual.length);
        }
        float[] v = new float[gradient.length];
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(gradient[i])) {
                throw new IllegalArgumentException("TopKSparsifier: gradient[" + i + "] = " + gradient[i]
                        + " is not finite");
            }
            v[i] = gradient[i] + residual[i];
        }
        boolean[] chosen = new boolean[v.length];
        int[] idx = new int[k];
        for (int j = 0; j < k; j++) { // k passes: O(k·length), plain and clear
            int best = -1;
            for (int i = 0; i < v.length; i++) {
                if (!chosen[i] && (best < 0 || Math.abs(v[i]) > Math.abs(v[best]))) best = i;
            }
            chosen[best] = true;
        }
        float[] vals = new float[k];
        for (int i = 0, j = 0; i < v.length; i++) {
            if (chosen[i]) {
                idx[j] = i;
                vals[j++] = v[i];
                residual[i] = 0f;
            } else {
                residual[i] = v[i];
            }
        }
        return SparseGradient.of(v.length, idx, vals);
    }

    @Override
    public float[] residual() {
        return residual == null ? new float[0] : residual.clone();
    }

    @Override
    public void reset() {
        residual = null;
    }
}
