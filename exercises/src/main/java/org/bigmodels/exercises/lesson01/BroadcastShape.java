package org.bigmodels.exercises.lesson01;

import java.util.Arrays;

/**
 * Exercise 01.2 (lesson 01-tensors): the shape of {@code a + b} when a and b have different shapes.
 *
 * <p>NumPy's broadcasting rules (NumPy user guide, "Broadcasting"), which ND4J and PyTorch follow: line the two shapes
 * up on the right (pad the shorter one with 1s on the left); on each axis the sizes must be equal, or one of them
 * must be 1, which is stretched to the other (without copying: its stride becomes 0). The result takes, on each axis,
 * the size that is not 1 (a 1 against a 0 gives 0).
 *
 * <p>Replace the {@code throw} below with your code, then run {@code ./course grade 01}.
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
        throw new UnsupportedOperationException("not implemented yet: BroadcastShape.of -- compare the shapes axis by"
                + " axis from the RIGHT (axis -1, -2, ...), treating a missing axis of the shorter shape as size 1."
                + " Pitfalls: aligning on the left; taking max(sa, sb), which turns 1 vs 0 into 1 instead of 0");
    }
}
