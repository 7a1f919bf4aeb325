package org.bigmodels.exercises.lesson01;

import java.util.Arrays;

/**
 * Exercise 01.2 (lesson 01-tensors): the shape of {@code a + b} when a and b have different shapes. Reference
 * solution.
 *
 * <p>NumPy's broadcasting rules (NumPy user guide, "Broadcasting"), which ND4J and PyTorch follow: line the two shapes
 * up on the right (pad the shorter one with 1s on the left); on each axis the sizes must be equal, or one of them
 * must be 1, which is stretched to the other (without copying: its stride becomes 0). The result takes, on each axis,
 * the size that is not 1 (a 1 against a 0 gives 0).
 */
public final class BroadcastShape {

    private BroadcastShape() {
    }

    /**
     * The broadcast shape of two shapes.
     *
     * @param a the first shape, sizes {@code >= 0}; left unchanged
     * @param b the second shape, sizes {@code >= 0}; left unchanged
     * @return a new array of length {@code max(a.length, b.length)}
     * @throws IllegalArgumentException if a size is negative, or the shapes are incompatible: the message names both
     *                                  shapes as {@link Arrays#toString(long[])} writes them and the offending axis
     *                                  counted from the right, written {@code axis -k} ({@code axis -1} is the last)
     */
    public static long[] of(long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int k = 1; k <= n; k++) {
            long sa = k <= a.length ? a[a.length - k] : 1;
            long sb = k <= b.length ? b[b.length - k] : 1;
            if (sa < 0 || sb < 0) {
                throw new IllegalArgumentException("BroadcastShape.of: negative size on axis -" + k + " of "
                        + Arrays.toString(a) + " or " + Arrays.toString(b) + "; sizes must be >= 0");
            }
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException("BroadcastShape.of: cannot broadcast " + Arrays.toString(a) + " with "
                        + Arrays.toString(b) + ": on axis -" + k + " (counted from the right) the sizes are " + sa
                        + " and " + sb + "; they must be equal or one of them 1. Reshape one operand, e.g. add an axis"
                        + " of size 1");
            }
            out[n - k] = sa == 1 ? sb : sa;
        }
        return out;
    }
}
