package org.bigmodels.exercises.lesson14;

/**
 * Exercise 14.3 (lesson 14-post-training-quantization): requantization with a fixed-point multiplier (Jacob et al.
 * 2018, section 2.2). An int32 accumulator acc must become the next layer's uint8 code zy + round(acc * M), with a real
 * M = S_x S_w / S_y in (0, 1). Integer hardware writes M = M0 * 2^-n with M0 an integer in [2^30, 2^31) and multiplies
 * by M0, then shifts right by n.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 14}.
 */
public final class StudentRequantization {
    private StudentRequantization() {}

    /** {M0, n} with M0 in [2^30, 2^31) and M0 * 2^-n the closest such value to m (m > 0). */
    public static long[] decompose(double m) {
        throw new UnsupportedOperationException("not implemented yet: StudentRequantization.decompose -- normalize m "
                + "to m' * 2^e with m' in [0.5, 1) (keep halving or doubling, counting), then M0 is m' * 2^31 rounded; "
                + "pitfall: rounding can give exactly 2^31, which is outside the range");
    }

    /**
     * The uint8 code: zeroPoint + round(acc * M0 / 2^n) (ties rounded up, i.e. towards +infinity), clamped to
     * [0, 255]. Integer arithmetic only.
     */
    public static int requantize(int acc, long m0, int n, int zeroPoint) {
        throw new UnsupportedOperationException("not implemented yet: StudentRequantization.requantize -- acc * M0 "
                + "needs 64 bits; a plain right shift floors, so add half of 2^n before shifting; then the zero point "
                + "and the clamp");
    }
}
