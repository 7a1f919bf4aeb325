package org.bigmodels.exercises.lesson00;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 00.1 (lesson 00-welcome): get raw pixels ready for a network.
 *
 * <p>Images arrive as 8-bit values, 0 to 255. Networks train best on small floats, so every vision pipeline
 * first scales pixels to [0, 1] and then standardizes them with the data set's mean and standard deviation.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 00}.
 */
public final class PixelScaling {

    private PixelScaling() {
    }

    /**
     * Scales 8-bit pixel values to [0, 1].
     *
     * @param pixels values in 0..255
     * @return a rank-1 FLOAT array of the same length, where value {@code v} becomes {@code v / 255}
     * @throws IllegalArgumentException if a value is outside 0..255 (say which index and value)
     */
    public static INDArray toUnitRange(int[] pixels) {
        throw new UnsupportedOperationException("not implemented yet: PixelScaling.toUnitRange -- check every value"
                + " against 0..255 first (name the bad index and value), then divide each by 255 into a FLOAT array."
                + " Pitfall: integer division v / 255 gives 0 for every pixel but 255");
    }

    /**
     * Standardizes values: {@code (x - mean) / std}, element by element.
     *
     * @param x    the values; left unchanged
     * @param mean the mean to subtract
     * @param std  the standard deviation to divide by; must be positive
     * @return a new array of the same shape and data type as {@code x}
     * @throws IllegalArgumentException if {@code std} is not positive (zero, negative or NaN)
     */
    public static INDArray standardize(INDArray x, double mean, double std) {
        throw new UnsupportedOperationException("not implemented yet: PixelScaling.standardize -- refuse std that is"
                + " not > 0 (NaN included), then subtract the mean and divide by std element by element. Pitfall: the"
                + " in-place ND4J ops (names ending in i) would change x");
    }
}
