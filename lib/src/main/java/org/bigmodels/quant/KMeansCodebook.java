package org.bigmodels.quant;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight sharing by k-means (Han et al. 2016, "Deep Compression", section 3): the weights of one layer are clustered
 * into 2^b centroids (linear initialization between min and max, section 3.2; Lloyd iterations in double); each weight
 * then stores only its b-bit cluster index, the layer a codebook of 2^b float32 centroids. Fine-tuning (section 3.3):
 * the gradient of each shared weight is the sum of the gradients of the weights in its cluster, and the centroid is
 * updated with it. After {@link #fit}, every centroid is the mean of its cluster (empty clusters keep their place).
 */
public final class KMeansCodebook {
    private final double[] centroids;
    private final int[] index;
    private final long[] shape;
    private final int bits;

    private KMeansCodebook(double[] centroids, int[] index, long[] shape, int bits) {
        this.centroids = centroids;
        this.index = index;
        this.shape = shape;
        this.bits = bits;
    }

    /**
     * Clusters w's values into 2^bits centroids with {@code iterations} Lloyd steps (assign to nearest, then move each
     * centroid to its cluster's mean; the last step is a mean update).
     *
     * @throws IllegalArgumentException if bits is outside 1..8, iterations < 1, or w is empty, not finite or beyond
     *                                  float32 range (the centroids are float32)
     */
    public static KMeansCodebook fit(INDArray w, int bits, int iterations) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("KMeansCodebook: expected 1..8 bits, got " + bits);
        if (iterations < 1) throw new IllegalArgumentException("KMeansCodebook: expected iterations >= 1, got " + iterations);
        double[] v = RangeObserver.checkedValues(w, "KMeansCodebook");
        for (int t = 0; t < v.length; t++) {
            if (Math.abs(v[t]) > Float.MAX_VALUE) {
                throw new IllegalArgumentException("KMeansCodebook: expected weights within float32 range (|w| <= "
                        + Float.MAX_VALUE + ", the codebook stores float32 centroids), got " + v[t] + " at element "
                        + t + "; rescale the tensor before clustering");
            }
        }
        double lo = Arrays.stream(v).min().getAsDouble(), hi = Arrays.stream(v).max().getAsDouble();
        int k = 1 << bits;
        double[] c = new double[k];
        for (int i = 0; i < k; i++) c[i] = k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * i / (k - 1);
        int[] idx = new int[v.length];
        for (int it = 0; it < iterations; it++) {
            for (int t = 0; t < v.length; t++) idx[t] = nearest(c, v[t]);
            double[] sum = new double[k];
            int[] n = new int[k];
            for (int t = 0; t < v.length; t++) {
                sum[idx[t]] += v[t];
                n[idx[t]]++;
            }
            for (int i = 0; i < k; i++) if (n[i] > 0) c[i] = sum[i] / n[i];
        }
        return new KMeansCodebook(c, idx, w.shape(), bits);
    }

    /** A codebook from its parts (as read from a file). @throws IllegalArgumentException if an index is out of range */
    public static KMeansCodebook of(double[] centroids, int[] indices, long[] shape, int bits) {
        if (centroids.length != 1 << bits) throw new IllegalArgumentException("KMeansCodebook: expected 2^" + bits + " centroids, got " + centroids.length);
        for (int i : indices) if (i < 0 || i >= centroids.length) throw new IllegalArgumentException("KMeansCodebook: index " + i + " out of range");
        return new KMeansCodebook(centroids.clone(), indices.clone(), shape.clone(), bits);
    }

    private static int nearest(double[] c, double x) {
        int best = 0;
        for (int i = 1; i < c.length; i++) if (Math.abs(c[i] - x) < Math.abs(c[best] - x)) best = i;
        return best;
    }

    /** The centroids (a copy), 2^bits of them. */
    public double[] centroids() {
        return centroids.clone();
    }

    /** Each weight's cluster index, c order (a copy). */
    public int[] indices() {
        return index.clone();
    }

    public int bits() {
        return bits;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The shared weights: each element its centroid, FLOAT, the original shape. */
    public INDArray decode() {
        double[] r = new double[index.length];
        for (int t = 0; t < r.length; t++) r[t] = centroids[index[t]];
        return Nd4j.create(r, shape, 'c').castTo(DataType.FLOAT);
    }

    /**
     * One fine-tuning step: centroid_k -= lr * sum of grad over the weights of cluster k (Han et al. 2016, equation 3).
     *
     * @throws IllegalArgumentException if grad's shape is not the weight's, lr is not finite and >= 0, grad is not
     *                                  finite, or the step would make a centroid leave float32 range (the codebook is
     *                                  left unchanged)
     */
    public void fineTune(INDArray grad, double lr) {
        if (!Arrays.equals(grad.shape(), shape)) {
            throw new IllegalArgumentException("KMeansCodebook: expected a gradient of shape " + Arrays.toString(shape)
                    + ", got " + Arrays.toString(grad.shape()));
        }
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("KMeansCodebook: expected a finite learning rate >= 0, got " + lr);
        }
        double[] acc = clusterGradients(grad);
        double[] next = new double[centroids.length];
        for (int i = 0; i < centroids.length; i++) {
            next[i] = centroids[i] - lr * acc[i];
            if (!(Math.abs(next[i]) <= Float.MAX_VALUE)) {
                throw new IllegalArgumentException("KMeansCodebook: the step lr * gradient = " + lr + " * " + acc[i]
                        + " sends centroid " + i + " to " + next[i] + ", outside float32 range (gradient not finite or "
                        + "too large); lower the learning rate or clip the gradient");
            }
        }
        System.arraycopy(next, 0, centroids, 0, next.length);
    }

    /** The gradient of each centroid: the sum of grad over its cluster. */
    public double[] clusterGradients(INDArray grad) {
        double[] g = QuantParams.values(grad);
        double[] acc = new double[centroids.length];
        for (int t = 0; t < g.length; t++) acc[index[t]] += g[t];
        return acc;
    }

    /** Storage: indices at bits each (rounded up to bytes) plus 2^bits float32 centroids. */
    public long storageBytes() {
        return ((long) index.length * bits + 7) / 8 + 4L * centroids.length;
    }
}
