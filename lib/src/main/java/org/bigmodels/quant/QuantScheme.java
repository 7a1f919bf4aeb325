package org.bigmodels.quant;

/**
 * How a real range [lo, hi] becomes a scale and a zero point (Jacob et al. 2018, section 2.1, equation 1:
 * r = S (q - Z)).
 *
 * <ul>
 *   <li>{@link #AFFINE} (asymmetric): the range is first widened to include 0 (so that 0 is exactly representable,
 *       which zero padding and ReLU need), then S = (hi - lo) / (qmax - qmin) and Z = round(qmin - lo / S), clamped.
 *   <li>{@link #SYMMETRIC}: Z = 0 and S = max(|lo|, |hi|) / qmax. The calibrated range maps onto [-qmax, qmax]
 *       (for int8 S = max|x| / 127, so the grid is symmetric around 0 and -128 is reached only by values clipped below
 *       -max|x|); unsigned formats clip negatives to 0. Cheaper in integer kernels (no zero-point terms), wastes half the grid on one-sided data.
 * </ul>
 */
public enum QuantScheme {
    AFFINE,
    SYMMETRIC;

    /**
     * The scale and zero point for a real range [lo, hi] in the given format.
     *
     * @return {scale, zeroPoint} (the zero point an integer stored in a double)
     * @throws IllegalArgumentException if lo or hi is not finite, lo > hi, or the range is zero (every value 0, so no
     *                                  scale can be derived: quantize something else or drop the all-zero tensor)
     */
    public double[] params(double lo, double hi, IntFormat format) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
            throw new IllegalArgumentException("QuantScheme: expected a finite range lo <= hi, got [" + lo + ", " + hi
                    + "]");
        }
        int qmin = format.qmin(), qmax = format.qmax();
        if (this == AFFINE) {
            lo = Math.min(lo, 0);
            hi = Math.max(hi, 0);
            if (hi - lo <= 0) throw zeroRange(lo, hi);
            double scale = (hi - lo) / (qmax - qmin);
            int zp = format.clamp(Math.round(qmin - lo / scale));
            return new double[] {scale, zp};
        }
        double amax = Math.max(Math.abs(lo), Math.abs(hi));
        if (amax <= 0) throw zeroRange(lo, hi);
        return new double[] {amax / qmax, 0};
    }

    private static IllegalArgumentException zeroRange(double lo, double hi) {
        return new IllegalArgumentException("QuantScheme: the range [" + lo + ", " + hi + "] is zero (every value is 0), "
                + "so no scale can map it; skip quantizing this tensor/channel or calibrate on non-zero data");
    }
}
