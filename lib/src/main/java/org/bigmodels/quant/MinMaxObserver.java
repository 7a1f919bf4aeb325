package org.bigmodels.quant;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The range is [min, max] of everything observed: nothing is clipped, outliers stretch the grid. */
public class MinMaxObserver implements RangeObserver {
    private double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    private long count;

    @Override
    public void observe(INDArray x) {
        double[] v = RangeObserver.checkedValues(x, "MinMaxObserver");
        for (double d : v) {
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        count += v.length;
    }

    @Override
    public double[] range() {
        if (count == 0) throw RangeObserver.nothingObserved("MinMaxObserver");
        return new double[] {lo, hi};
    }

    @Override
    public long count() {
        return count;
    }
}
