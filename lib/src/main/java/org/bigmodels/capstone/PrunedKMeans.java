package org.bigmodels.capstone;

import org.bigmodels.quant.KMeansCodebook;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weight sharing after pruning (Han et al. 2016, "Deep Compression", section 3: k-means runs on the weights that
 * survived pruning). Of the 2^b codes, code 0 is reserved for the pruned weights and its centroid is exactly 0.0, so
 * they stay exactly zero and {@link org.bigmodels.quant.QuantizedModelFile} omits them (its sparse entries); the other
 * 2^b − 1 centroids are fitted to the non-zero weights by Lloyd's algorithm (linear initialization between their min
 * and max, as {@link KMeansCodebook#fit}; empty clusters keep their place). Clustering all weights instead would pull
 * one centroid towards the many zeros and the zeros off zero: the pruned weights would come back as small non-zeros
 * and cost bytes again.
 */
public final class PrunedKMeans {
    private PrunedKMeans() {}

    /**
     * A b-bit codebook of w [any shape]: zeros on code 0 (centroid 0.0), non-zeros on their nearest of 2^b − 1 fitted
     * centroids.
     *
     * @throws IllegalArgumentException if bits is outside 2..8 (1 bit would leave no code for the non-zeros),
     *                                  iterations &lt; 1, w is null, or w holds a NaN, an infinity or a value outside
     *                                  the float range (it would decode to an infinity; naming the element)
     */
    public static KMeansCodebook fit(INDArray w, int bits, int iterations) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("PrunedKMeans: expected 2..8 bits (code 0 is the pruned zeros, at least "
                    + "one more code is needed for the rest), got " + bits);
        }
        if (iterations < 1) throw new IllegalArgumentException("PrunedKMeans: expected iterations >= 1, got " + iterations);
        if (w == null) throw new IllegalArgumentException("PrunedKMeans: expected a weight tensor, got null");
        double[] v = w.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < v.length; t++) {
            if (!(Math.abs(v[t]) <= Float.MAX_VALUE)) {
                throw new IllegalArgumentException("PrunedKMeans: expected finite weights within the float range (the "
                        + "codebook decodes to float32), got " + v[t] + " at element " + t + " (c order)");
            }
            if (v[t] != 0) {
                lo = Math.min(lo, v[t]);
                hi = Math.max(hi, v[t]);
            }
        }
        int k = (1 << bits) - 1;                    // centroids for the non-zeros: codes 1..k
        double[] c = new double[k + 1];
        for (int i = 1; i <= k; i++) c[i] = lo > hi ? 0 : k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * (i - 1) / (k - 1);
        int[] idx = new int[v.length];
        for (int it = 0; it < iterations; it++) {
            double[] sum = new double[k + 1];
            int[] n = new int[k + 1];
            for (int t = 0; t < v.length; t++) {
                idx[t] = v[t] == 0 ? 0 : nearest(c, v[t]);
                sum[idx[t]] += v[t];
                n[idx[t]]++;
            }
            for (int i = 1; i <= k; i++) if (n[i] > 0) c[i] = sum[i] / n[i];
        }
        for (int t = 0; t < v.length; t++) idx[t] = v[t] == 0 ? 0 : nearest(c, v[t]);
        return KMeansCodebook.of(c, idx, w.shape(), bits);
    }

    /** The nearest of centroids 1..k (code 0 is reserved for the zeros). */
    private static int nearest(double[] c, double x) {
        int best = 1;
        for (int i = 2; i < c.length; i++) if (Math.abs(c[i] - x) < Math.abs(c[best] - x)) best = i;
        return best;
    }
}
