package org.bigmodels.compression;

/**
 * A 1-bit gradient: element i is {@code +scale} if bit i is set, {@code -scale} otherwise. On the wire: one bit per
 * element and one 4-byte scale, {@code ceil(length/8) + 4} bytes (32x smaller than float32 for long tensors).
 */
public final class SignGradient implements CompressedGradient {
    private final long[] bits;
    private final int length;
    private final float scale;

    /** Wraps a copy of {@code bits} (at least ceil(length/64) words); {@code scale} &ge; 0. */
    public SignGradient(long[] bits, int length, float scale) {
        if (length < 0 || bits.length < (length + 63) / 64 || !(scale >= 0)) {
            throw new IllegalArgumentException("SignGradient: expected ceil(" + length + "/64) words and scale >= 0, got "
                    + bits.length + " words and scale " + scale);
        }
        this.bits = bits.clone();
        this.length = length;
        this.scale = scale;
    }

    @Override
    public int length() {
        return length;
    }

    /** The magnitude every element decodes to. */
    public float scale() {
        return scale;
    }

    @Override
    public long wireBytes() {
        return (length + 7) / 8 + 4L;
    }

    @Override
    public float[] decode() {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) out[i] = (bits[i >>> 6] >>> (i & 63) & 1L) != 0 ? scale : -scale;
        return out;
    }
}
