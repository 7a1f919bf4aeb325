package org.bigmodels.compression;

/**
 * What a worker puts on the wire instead of its dense gradient: a sparse list of (index, value) pairs, 8-bit codes
 * with a scale per bucket, or one sign bit per element with one scale. The receiver only needs {@link #decode()}.
 *
 * <p>{@link #wireBytes()} is the size of the payload as a real implementation would send it (indices, values, codes,
 * scales; no framing), so a lesson can put the compression ratio {@code 4·length / wireBytes} beside the accuracy.
 */
public interface CompressedGradient {

    /** The number of elements of the dense gradient this stands for. */
    int length();

    /** The payload size in bytes (indices + values, or codes + scales). */
    long wireBytes();

    /** The dense gradient the receiver applies: a new array of {@link #length()} floats. */
    float[] decode();
}
