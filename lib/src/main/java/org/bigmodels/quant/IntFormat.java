package org.bigmodels.quant;

/**
 * The integer type a quantized value is stored in: a bit width from 2 to 8, signed (two's complement, [-2^(b-1),
 * 2^(b-1)-1]) or unsigned ([0, 2^b-1]). {@code INT8} holds weights, {@code UINT8} activations after a ReLU (Jacob et al.
 * 2018, section 2.1: "B-bit integers").
 */
public final class IntFormat {
    /** Signed 8-bit, [-128, 127]. */
    public static final IntFormat INT8 = new IntFormat(8, true);
    /** Unsigned 8-bit, [0, 255]. */
    public static final IntFormat UINT8 = new IntFormat(8, false);

    private final int bits;
    private final boolean signed;

    private IntFormat(int bits, boolean signed) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("IntFormat: expected a bit width from 2 to 8, got " + bits
                    + " (1 bit has no zero point to spare; more than 8 is not an int8 kernel's type)");
        }
        this.bits = bits;
        this.signed = signed;
    }

    /** A signed format of the given width. @throws IllegalArgumentException if bits is outside 2..8 */
    public static IntFormat signed(int bits) {
        return new IntFormat(bits, true);
    }

    /** An unsigned format of the given width. @throws IllegalArgumentException if bits is outside 2..8 */
    public static IntFormat unsigned(int bits) {
        return new IntFormat(bits, false);
    }

    public int bits() {
        return bits;
    }

    public boolean isSigned() {
        return signed;
    }

    /** The smallest integer: -2^(b-1) signed, 0 unsigned. */
    public int qmin() {
        return signed ? -(1 << (bits - 1)) : 0;
    }

    /** The largest integer: 2^(b-1)-1 signed, 2^b-1 unsigned. */
    public int qmax() {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Clamps an integer into [qmin, qmax]. */
    public int clamp(long q) {
        return (int) Math.max(qmin(), Math.min(qmax(), q));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntFormat f && f.bits == bits && f.signed == signed;
    }

    @Override
    public int hashCode() {
        return bits * 2 + (signed ? 1 : 0);
    }

    @Override
    public String toString() {
        return (signed ? "int" : "uint") + bits;
    }
}
