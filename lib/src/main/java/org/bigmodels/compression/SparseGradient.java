package org.bigmodels.compression;

import java.util.Arrays;

/**
 * A sparse gradient: {@code values[i]} at position {@code indices[i]} of a dense vector of {@code length} floats,
 * zero elsewhere. Two wire formats:
 * <ul>
 *   <li>{@link #of}: a 4-byte index and a 4-byte float per entry, {@code 8·nnz} bytes (top-k);</li>
 *   <li>{@link #signed}: every value is {@code ±tau}, so only a 4-byte index with the sign in its top bit is sent,
 *       plus tau once: {@code 4·nnz + 4} bytes (threshold encoding, Strom 2015; DL4J's gradient sharing).</li>
 * </ul>
 */
public final class SparseGradient implements CompressedGradient {
    private final int length;
    private final int[] indices;
    private final float[] values;
    private final long wireBytes;

    private SparseGradient(int length, int[] indices, float[] values, long wireBytes) {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("SparseGradient: " + indices.length + " indices but " + values.length
                    + " values; expected one value per index");
        }
        for (int idx : indices) {
            if (idx < 0 || idx >= length) {
                throw new IllegalArgumentException("SparseGradient: index " + idx + " outside [0, " + length + ")");
            }
        }
        this.length = length;
        this.indices = indices.clone();
        this.values = values.clone();
        this.wireBytes = wireBytes;
    }

    /** Index/value pairs, 8 bytes per entry on the wire. Arrays are copied. */
    public static SparseGradient of(int length, int[] indices, float[] values) {
        return new SparseGradient(length, indices, values, 8L * indices.length);
    }

    /** Index/sign pairs with one shared magnitude {@code tau}: 4 bytes per entry plus 4 for tau. */
    public static SparseGradient signed(int length, int[] indices, float[] values, float tau) {
        for (float v : values) {
            if (Math.abs(v) != tau) {
                throw new IllegalArgumentException("SparseGradient.signed: value " + v + " is not +-" + tau);
            }
        }
        return new SparseGradient(length, indices, values, 4L * indices.length + 4);
    }

    @Override
    public int length() {
        return length;
    }

    /** The number of entries sent (nnz). */
    public int size() {
        return indices.length;
    }

    /** A copy of the sent positions, in the order they were selected. */
    public int[] indices() {
        return indices.clone();
    }

    /** A copy of the sent values, aligned with {@link #indices()}. */
    public float[] values() {
        return values.clone();
    }

    @Override
    public long wireBytes() {
        return wireBytes;
    }

    @Override
    public float[] decode() {
        float[] dense = new float[length];
        for (int i = 0; i < indices.length; i++) dense[indices[i]] += values[i];
        return dense;
    }

    @Override
    public String toString() {
        return "SparseGradient(length=" + length + ", nnz=" + indices.length + ", bytes=" + wireBytes + ", indices="
                + Arrays.toString(indices.length <= 8 ? indices : Arrays.copyOf(indices, 8)) + ")";
    }
}
