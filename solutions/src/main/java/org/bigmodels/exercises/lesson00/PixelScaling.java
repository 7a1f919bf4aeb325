package org.bigmodels.exercises.lesson00;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exercise 00.1 (lesson 00-welcome): get raw pixels ready for a network. Reference solution.
 */
public final class PixelScaling {

    private PixelScaling() {
    }

    public static INDArray toUnitRange(int[] pixels) {
        float[] scaled = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            int v = pixels[i];
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("pixel " + i + " is " + v + ", outside 0..255");
            }
            scaled[i] = v / 255f;
        }
        return Nd4j.createFromArray(scaled);
    }

    public static INDArray standardize(INDArray x, double mean, double std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("std must be positive, got " + std);
        }
        return x.sub(mean).divi(std);
    }
}
