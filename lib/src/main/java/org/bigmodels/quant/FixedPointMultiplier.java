package org.bigmodels.quant;

/**
 * A real multiplier M in (0, 1) written as M = M0 * 2^-n with M0 a 31-bit integer in [2^30, 2^31) (Jacob et al.
 * 2018, section 2.2, equation 6), so that requantization r = round(acc * M) needs only an integer multiply and a
 * rounding right shift: round(acc * M0 / 2^n) = (acc * M0 + 2^(n-1)) >> n in 64-bit arithmetic (rounds half up).
 * Multipliers >= 1 are allowed too (n is then smaller than 31; n must stay >= 1).
 */
public final class FixedPointMultiplier {
    private final long m0;
    private final int shift;

    /** M0 and n directly. @throws IllegalArgumentException if m0 is not in [2^30, 2^31) or n not in 1..62 */
    public FixedPointMultiplier(long m0, int shift) {
        if (m0 < (1L << 30) || m0 >= (1L << 31)) {
            throw new IllegalArgumentException("FixedPointMultiplier: expected M0 in [2^30, 2^31) (a normalized Q31 "
                    + "value), got " + m0);
        }
        if (shift < 1 || shift > 62) {
            throw new IllegalArgumentException("FixedPointMultiplier: expected a shift n in 1..62, got " + shift
                    + " (the multiplier is too large or too small for this representation)");
        }
        this.m0 = m0;
        this.shift = shift;
    }

    /**
     * The nearest M0 * 2^-n to a real M > 0: M = m * 2^e with m in [0.5, 1), M0 = round(m * 2^31), n = 31 - e (if M0
     * rounds up to 2^31 it is halved and n decremented).
     *
     * @throws IllegalArgumentException if M is not positive and finite, or out of the representable range
     */
    public static FixedPointMultiplier of(double m) {
        if (!(m > 0) || !Double.isFinite(m)) {
            throw new IllegalArgumentException("FixedPointMultiplier: expected a positive finite multiplier, got " + m);
        }
        int e = Math.getExponent(m) + 1; // m = frac * 2^e with frac in [0.5, 1)
        double frac = m / Math.scalb(1.0, e);
        long m0 = Math.round(frac * (1L << 31));
        int n = 31 - e;
        if (m0 == (1L << 31)) {
            m0 >>= 1;
            n -= 1;
        }
        return new FixedPointMultiplier(m0, n);
    }

    /** M0, in [2^30, 2^31). */
    public long m0() {
        return m0;
    }

    /** n, the right shift. */
    public int shift() {
        return shift;
    }

    /** The real value M0 * 2^-n. */
    public double value() {
        return Math.scalb((double) m0, -shift);
    }

    /** round(acc * M0 * 2^-n), ties up, in integer arithmetic only. */
    public long apply(int acc) {
        return ((long) acc * m0 + (1L << (shift - 1))) >> shift;
    }

    @Override
    public String toString() {
        return "M0=" + m0 + " * 2^-" + shift + " (" + value() + ")";
    }
}
