package org.bigmodels.compression;

import java.util.Arrays;

/**
 * Top-k sparsification with error feedback: of {@code v = gradient + residual} send the k elements of largest
 * magnitude (exact values, 8 bytes each on the wire), keep the others in the residual. Ties at the k-th magnitude go
 * to the lower index, so the choice is deterministic.
 *
 * <p>Sources: Aji and Heafield, "Sparse communication for distributed gradient descent", EMNLP 2017 (top-k / "drop
 * the smallest 99%"); Lin et al., "Deep gradient compression", ICLR 2018; the residual is Strom's (2015).
 * Selection here sorts all {@code length} magnitudes, O(length·log length); production systems sample or use a
 * threshold instead ({@link ThresholdCompressor}) because exact top-k is expensive on large tensors.
 *
 * <p>Errors: k &le; 0 at construction; k &gt; length at the first {@link #compress} (IllegalArgumentException).
 */
public final class TopKCompressor extends ErrorFeedbackCompressor {
    private final int k;

    /**
     * @param k how many elements to send per call, 1 &le; k &le; gradient length
     * @throws IllegalArgumentException if k &le; 0
     */
    public TopKCompressor(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("TopKCompressor: k must be >= 1 (how many elements to send), got " + k);
        }
        this.k = k;
    }

    /** How many elements are sent per call. */
    public int k() {
        return k;
    }

    @Override
    protected CompressedGradient encode(float[] v) {
        if (k > v.length) {
            throw new IllegalArgumentException("TopKCompressor: k = " + k + " exceeds the gradient length "
                    + v.length + "; choose k <= length (k = length sends everything)");
        }
        // Sort keys (|v| bits, then lower index first): non-negative floats order like their bit patterns.
        long[] keys = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            long magnitude = Float.floatToIntBits(Math.abs(v[i]));
            keys[i] = (magnitude << 32) | (Integer.MAX_VALUE - i);
        }
        Arrays.sort(keys);
        int[] idx = new int[k];
        for (int j = 0; j < k; j++) idx[j] = Integer.MAX_VALUE - (int) (keys[keys.length - 1 - j] & 0xffffffffL);
        Arrays.sort(idx);
        float[] vals = new float[k];
        for (int j = 0; j < k; j++) vals[j] = v[idx[j]];
        return SparseGradient.of(v.length, idx, vals);
    }

    @Override
    public String toString() {
        return "TopK(k=" + k + ")";
    }
}
