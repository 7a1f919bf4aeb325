package org.bigmodels.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class TextBatchesTest {

    static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void ninetyTenSplitKeepsOrder() {
        TextBatches tb = new TextBatches(range(1000));
        assertEquals(900, tb.trainTokens());
        assertEquals(100, tb.valTokens());
        assertEquals(899, tb.trainIds()[899]);
        assertEquals(900, tb.valIds()[0]);
    }

    @Test
    void targetsAreInputsShiftedByOne() {
        // tokens are their own positions, so every window is consecutive integers and y = x + 1
        TextBatches tb = new TextBatches(range(1000));
        Batch b = tb.batch(5, 16, new Random(3));
        assertEquals(DataType.INT, b.x().dataType());
        assertEquals(DataType.INT, b.y().dataType());
        assertArrayEquals(new long[] {5, 16}, b.x().shape());
        assertArrayEquals(new long[] {5, 16}, b.y().shape());
        int[][] x = b.x().toIntMatrix(), y = b.y().toIntMatrix();
        for (int i = 0; i < 5; i++) {
            for (int t = 0; t < 16; t++) {
                assertEquals(x[i][0] + t, x[i][t], "a window is contiguous");
                assertEquals(x[i][t] + 1, y[i][t], "y is x shifted by one");
                assertTrue(y[i][t] < 900, "training windows stay in the training part");
            }
        }
    }

    @Test
    void validationWindowsComeFromTheTail() {
        TextBatches tb = new TextBatches(range(1000));
        int[][] x = tb.valBatch(8, 10, new Random(1)).x().toIntMatrix();
        for (int[] row : x) for (int v : row) assertTrue(v >= 900 && v < 1000, "val token " + v);
    }

    @Test
    void sameSeedSameBatch() {
        TextBatches tb = new TextBatches(range(500));
        assertEquals(tb.batch(4, 8, new Random(9)).x(), tb.batch(4, 8, new Random(9)).x());
    }

    @Test
    void tooShortTextIsAnError() {
        TextBatches tb = new TextBatches(range(20));
        assertThrows(IllegalArgumentException.class, () -> tb.valBatch(1, 2, new Random(1)));
    }
}
