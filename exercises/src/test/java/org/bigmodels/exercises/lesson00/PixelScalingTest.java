package org.bigmodels.exercises.lesson00;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Graded tests for exercise 00.1; expected values are computed here with plain loops, independently of ND4J. */
class PixelScalingTest {

    @Graded(id = "00.1", points = 2, title = "toUnitRange: v/255 as FLOAT, same length")
    void toUnitRangeScales() {
        int[] pixels = new Random(7).ints(50, 0, 256).toArray();
        pixels[0] = 0;
        pixels[1] = 255;
        float[] expected = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            expected[i] = pixels[i] / 255f;
        }

        INDArray got = PixelScaling.toUnitRange(pixels);

        assertEquals(DataType.FLOAT, got.dataType(), "data type");
        assertArrayEquals(new long[] {pixels.length}, got.shape(), "shape");
        assertArrayEquals(expected, got.toFloatVector(), 1e-6f, "scaled values");
    }

    @Graded(id = "00.1", points = 1, title = "toUnitRange rejects values outside 0..255")
    void toUnitRangeRejectsBadPixels() {
        assertThrows(IllegalArgumentException.class, () -> PixelScaling.toUnitRange(new int[] {0, 12, 256}), "256");
        assertThrows(IllegalArgumentException.class, () -> PixelScaling.toUnitRange(new int[] {-1, 3}), "-1");
    }

    @Graded(id = "00.1", points = 2, title = "standardize: (x - mean) / std, x untouched")
    void standardizeValues() {
        float[] raw = {0f, 0.25f, 0.5f, 0.75f, 1f, 0.1307f};
        double mean = 0.1307;
        double std = 0.3081;
        INDArray x = Nd4j.createFromArray(raw).reshape(2, 3);
        INDArray before = x.dup();

        INDArray got = PixelScaling.standardize(x, mean, std);

        float[] expected = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            expected[i] = (float) ((raw[i] - mean) / std);
        }
        assertArrayEquals(new long[] {2, 3}, got.shape(), "shape");
        assertEquals(DataType.FLOAT, got.dataType(), "data type");
        assertArrayEquals(expected, got.reshape(6).toFloatVector(), 1e-5f, "standardized values");
        assertEquals(before, x, "standardize must not change its input");
    }

    @Graded(id = "00.1", points = 1, title = "standardize rejects std <= 0")
    void standardizeRejectsBadStd() {
        INDArray x = Nd4j.createFromArray(1f, 2f, 3f);
        assertThrows(IllegalArgumentException.class, () -> PixelScaling.standardize(x, 0, 0), "std = 0");
        assertThrows(IllegalArgumentException.class, () -> PixelScaling.standardize(x, 0, -1), "std = -1");
        assertThrows(IllegalArgumentException.class, () -> PixelScaling.standardize(x, 0, Double.NaN), "std = NaN");
    }
}
