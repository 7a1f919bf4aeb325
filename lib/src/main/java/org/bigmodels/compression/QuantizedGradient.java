package org.bigmodels.compression;

/**
 * An 8-bit quantized gradient: element i is {@code codes[i]·scales[i / bucketSize]}, codes in [-127, 127].
 * On the wire: one byte per element and one 4-byte float scale per bucket, {@code length + 4·ceil(length/bucket)}.
 */
public final class QuantizedGradient implements CompressedGradient {
    private final byte[] codes;
    private final float[] scales;
    private final int bucketSize;

    /** Wraps copies; {@code scales.length} must be {@code ceil(codes.length / bucketSize)}. */
    public QuantizedGradient(byte[] codes, float[] scales, int bucketSize) {
        if (bucketSize <= 0 || scales.length != (codes.length + bucketSize - 1) / bucketSize) {
            throw new IllegalArgumentException("QuantizedGradient: " + codes.length + " codes with bucket size "
                    + bucketSize + " need " + (bucketSize <= 0 ? "a bucket size >= 1"
                    : (codes.length + bucketSize - 1) / bucketSize + " scales") + ", got " + scales.length);
        }
        this.codes = codes.clone();
        this.scales = scales.clone();
        this.bucketSize = bucketSize;
    }

    @Override
    public int length() {
        return codes.length;
    }

    /** A copy of the per-bucket scales (float[ceil(length/bucketSize)]). */
    public float[] scales() {
        return scales.clone();
    }

    @Override
    public long wireBytes() {
        return codes.length + 4L * scales.length;
    }

    @Override
    public float[] decode() {
        float[] out = new float[codes.length];
        for (int i = 0; i < out.length; i++) out[i] = codes[i] * scales[i / bucketSize];
        return out;
    }
}
