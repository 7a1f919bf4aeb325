package org.bigmodels.quant;

/**
 * The integer matrix product at the heart of integer-only inference (Jacob et al. 2018, section 2.3):
 * acc[r][j] = bias[j] + sum_i x[r][i] * w[j][i], with x uint8 [n, in] (bytes read with {@code & 0xFF}), w int8
 * [out, in] (transposed, so that each output channel's weights are contiguous), bias and acc int32 [n, out], all
 * row-major. The products of 8-bit numbers are summed exactly in 32 bits (|x w| <= 255 * 128, so up to 65,000 inputs
 * cannot overflow).
 *
 * <p>Two implementations teach the contrast: {@link #PLAIN}, a plain Java loop ({@link IntegerMLP#int8Matmul}), and
 * {@link VectorInt8Kernel}, the same sums on the SIMD lanes of the Java Vector API. Both give the same integers.
 */
@FunctionalInterface
public interface Int8Kernel {
    /**
     * Writes acc = bias + x wᵀ.
     *
     * @param x    uint8 inputs [n * in], row-major
     * @param w    int8 weights [out * in], row j = output channel j
     * @param bias int32 [out]
     * @param acc  int32 [n * out], overwritten (its first n * out entries; longer arrays are fine)
     * @param n    rows of x (examples), >= 0
     * @param in   inputs per row, >= 0
     * @param out  output channels, >= 0
     * @throws IllegalArgumentException if n, in or out is negative or an array is shorter than its shape says
     */
    void matmul(byte[] x, byte[] w, int[] bias, int[] acc, int n, int in, int out);

    /**
     * The argument check every implementation makes first.
     *
     * @throws IllegalArgumentException from {@code op} if n, in or out is negative or an array is shorter than its shape
     */
    static void checkShapes(String op, byte[] x, byte[] w, int[] bias, int[] acc, int n, int in, int out) {
        if (n < 0 || in < 0 || out < 0 || x.length < (long) n * in || w.length < (long) out * in || bias.length < out
                || acc.length < (long) n * out) {
            throw new IllegalArgumentException(op + ": expected x [" + n + " x " + in + "], w [" + out + " x " + in
                    + "], bias [" + out + "], acc [" + n + " x " + out + "] (n, in, out >= 0), got lengths " + x.length + ", "
                    + w.length + ", " + bias.length + ", " + acc.length + "; pass arrays at least as long as n, in, out say");
        }
    }

    /** The plain Java loop, {@link IntegerMLP#int8Matmul}. */
    Int8Kernel PLAIN = IntegerMLP::int8Matmul;
}
