package org.bigmodels.quant;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The range is [the (100 - p)-th percentile, the p-th percentile] of everything observed: the rarest outliers are
 * clipped so that the grid fits the bulk of the distribution (Wu et al. 2020, "Integer quantization for deep learning
 * inference", section 4.2). Keeps every observed value (memory: 8 bytes each). Percentiles interpolate linearly
 * between order statistics.
 */
public class PercentileObserver implements RangeObserver {
    private final double p;
    private final ValueBuffer values = new ValueBuffer();

    /** @throws IllegalArgumentException if p is not in (50, 100] (99.99 is a usual choice) */
    public PercentileObserver(double p) {
        if (!(p > 50 && p <= 100)) {
            throw new IllegalArgumentException("PercentileObserver: expected a percentile in (50, 100], got " + p
                    + " (e.g. 99.99 clips the top and bottom 0.01%)");
        }
        this.p = p;
    }

    @Override
    public void observe(INDArray x) {
        values.addAll(RangeObserver.checkedValues(x, "PercentileObserver"));
    }

    @Override
    public double[] range() {
        if (values.size() == 0) throw RangeObserver.nothingObserved("PercentileObserver");
        double[] s = values.sorted();
        return new double[] {quantile(s, (100 - p) / 100), quantile(s, p / 100)};
    }

    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        if (i >= sorted.length - 1) return sorted[sorted.length - 1];
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
    }

    @Override
    public long count() {
        return values.size();
    }
}
