package org.bigmodels.exercises.lesson14;

/**
 * Exercise 14.1 (lesson 14-post-training-quantization): affine (asymmetric) quantization onto unsigned b-bit integers,
 * r = S (q - Z) (Jacob et al. 2018, equation 1). Integers go from 0 to 2^b - 1.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 14}.
 */
public final class StudentAffineQuantization {
    private StudentAffineQuantization() {}

    /**
     * The scale S and zero point Z for real values in [lo, hi] (lo <= hi, not both 0).
     *
     * @return {S, Z} (Z an integer stored in a double)
     */
    public static double[] scaleAndZeroPoint(double lo, double hi, int bits) {
        throw new UnsupportedOperationException("not implemented yet: StudentAffineQuantization.scaleAndZeroPoint -- "
                + "the real 0 must be exactly representable, so widen [lo, hi] to include 0 first; S spreads the range "
                + "over the 2^b - 1 steps between the smallest and largest integer; Z is the integer that 0.0 maps to, "
                + "an integer inside [0, 2^b - 1] (round it, then keep it in range)");
    }

    /** q = the integer of x: x / S rounded to the nearest integer, shifted by Z, kept inside [0, 2^b - 1]. */
    public static int quantize(double x, double scale, int zeroPoint, int bits) {
        throw new UnsupportedOperationException("not implemented yet: StudentAffineQuantization.quantize -- round to "
                + "the nearest (a cast truncates towards 0), add the zero point, and clamp: values beyond the range "
                + "saturate at the ends instead of wrapping around");
    }

    /** The real value of integer q: S (q - Z). */
    public static double dequantize(int q, double scale, int zeroPoint) {
        throw new UnsupportedOperationException("not implemented yet: StudentAffineQuantization.dequantize -- the "
                + "inverse map of quantize, without rounding");
    }
}
