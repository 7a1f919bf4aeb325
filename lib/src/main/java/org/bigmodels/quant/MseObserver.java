package org.bigmodels.quant;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MSE-optimal clipping: among the ranges alpha [min, max] for alpha on a grid of {@code steps} values in (0, 1], the
 * one whose fake quantization (in the given scheme and format) has the least mean squared error on the observed
 * values (the search of Banner et al. 2019 and of TensorRT/PyTorch's histogram observer, done by brute force). Fewer
 * bits favour tighter clipping. At most 2^18 observed values (every k-th) are used in the search.
 */
public class MseObserver implements RangeObserver {
    private static final int SAMPLE = 1 << 18;
    private final QuantScheme scheme;
    private final IntFormat format;
    private final int steps;
    private final ValueBuffer values = new ValueBuffer();
    private double lastMse = Double.NaN;

    /** @throws IllegalArgumentException if steps < 1 */
    public MseObserver(QuantScheme scheme, IntFormat format, int steps) {
        if (steps < 1) throw new IllegalArgumentException("MseObserver: expected steps >= 1, got " + steps);
        this.scheme = scheme;
        this.format = format;
        this.steps = steps;
    }

    /** 100 candidate ranges. */
    public MseObserver(QuantScheme scheme, IntFormat format) {
        this(scheme, format, 100);
    }

    @Override
    public void observe(INDArray x) {
        values.addAll(RangeObserver.checkedValues(x, "MseObserver"));
    }

    @Override
    public double[] range() {
        if (values.size() == 0) throw RangeObserver.nothingObserved("MseObserver");
        double[] v = values.sample(SAMPLE);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        if (lo == 0 && hi == 0) return new double[] {0, 0}; // let the scheme report the zero range
        double bestMse = Double.POSITIVE_INFINITY;
        double[] best = {lo, hi};
        for (int s = steps; s >= 1; s--) {
            double a = (double) s / steps;
            double[] sz = scheme.params(a * lo, a * hi, format);
            QuantParams q = QuantParams.perTensor(sz[0], (int) sz[1], format);
            double mse = 0;
            for (double d : v) {
                double e = d - q.dequantize(q.quantize(d, 0), 0);
                mse += e * e;
            }
            mse /= v.length;
            if (mse < bestMse) {
                bestMse = mse;
                best = new double[] {a * lo, a * hi};
            }
        }
        lastMse = bestMse;
        return best;
    }

    /** The mean squared error of the range last returned by {@link #range()} (NaN before). */
    public double lastMse() {
        return lastMse;
    }

    @Override
    public long count() {
        return values.size();
    }
}
