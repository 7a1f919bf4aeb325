package org.bigmodels.quant;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of each batch's min and max: lo += c (batchMin - lo), same for hi; the first batch
 * sets them. Smooths the range of activations over calibration (or training) batches (Jacob et al. 2018, section
 * 3.1; Krishnamoorthi 2018, section 3.2). The constant c is in (0, 1]; 1 keeps only the last batch.
 */
public class MovingAverageMinMaxObserver implements RangeObserver {
    private final double c;
    private double lo, hi;
    private long count;

    /** @throws IllegalArgumentException if c is not in (0, 1] */
    public MovingAverageMinMaxObserver(double c) {
        if (!(c > 0 && c <= 1)) {
            throw new IllegalArgumentException("MovingAverageMinMaxObserver: expected an averaging constant in (0, 1], "
                    + "got " + c + " (0.01 is PyTorch's default)");
        }
        this.c = c;
    }

    @Override
    public void observe(INDArray x) {
        double[] v = RangeObserver.checkedValues(x, "MovingAverageMinMaxObserver");
        double bLo = Double.POSITIVE_INFINITY, bHi = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            bLo = Math.min(bLo, d);
            bHi = Math.max(bHi, d);
        }
        if (count == 0) {
            lo = bLo;
            hi = bHi;
        } else {
            lo += c * (bLo - lo);
            hi += c * (bHi - hi);
        }
        count += v.length;
    }

    @Override
    public double[] range() {
        if (count == 0) throw RangeObserver.nothingObserved("MovingAverageMinMaxObserver");
        return new double[] {lo, hi};
    }

    @Override
    public long count() {
        return count;
    }
}
