package org.bigmodels.exercises.lesson04;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 04.3. Reference: the index formula {@code heads[b, h, t, d] = x[b, t, h·D + d]} checked
 * element by element with plain loops.
 */
class HeadSplitTest {

    static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    @Graded(id = "04.3", points = 2, title = "split: heads[b,h,t,d] = x[b,t,h·D+d], element by element")
    void splitByLoops() {
        int bs = 2, ts = 5, c = 12, nh = 3, d = c / nh;
        INDArray x = rand(1, bs, ts, c);
        INDArray heads = HeadSplit.split(x, nh);
        assertArrayEquals(new long[] {bs, nh, ts, d}, heads.shape(), "shape [B, H, T, C/H]");
        INDArray naive = x.dup('c').reshape('c', bs, nh, ts, d);
        for (int b = 0; b < bs; b++) {
            for (int h = 0; h < nh; h++) {
                for (int t = 0; t < ts; t++) {
                    for (int k = 0; k < d; k++) {
                        double expected = x.getDouble(b, t, h * d + k);
                        double got = heads.getDouble(b, h, t, k);
                        if (got != expected) {
                            String why = heads.equalsWithEps(naive, 0) ? " -- you reshaped [B, T, C] straight to"
                                    + " [B, H, T, D]: the shape is right but each 'head' holds a mix of tokens. Cut C"
                                    + " into [H, D] first ([B, T, H, D]), then swap the T and H axes" : "";
                            fail("heads[" + b + ", " + h + ", " + t + ", " + k + "] should be x[" + b + ", " + t + ", "
                                    + (h * d + k) + "] = " + expected + ", got " + got + why);
                        }
                    }
                }
            }
        }
    }

    @Graded(id = "04.3", points = 2, title = "merge: x[b,t,h·D+d] = heads[b,h,t,d]; merge(split(x)) = x")
    void mergeByLoops() {
        int bs = 3, nh = 4, ts = 2, d = 3;
        // a permuted view, as attention's output is: merge must read it by index, not by memory order
        INDArray heads = rand(2, bs, ts, nh, d).permute(0, 2, 1, 3);
        INDArray x = HeadSplit.merge(heads);
        assertArrayEquals(new long[] {bs, ts, nh * d}, x.shape(), "shape [B, T, H·D]");
        for (int b = 0; b < bs; b++) {
            for (int h = 0; h < nh; h++) {
                for (int t = 0; t < ts; t++) {
                    for (int k = 0; k < d; k++) {
                        assertEquals(heads.getDouble(b, h, t, k), x.getDouble(b, t, h * d + k), 0.0,
                                "x[" + b + ", " + t + ", " + (h * d + k) + "] should be heads[" + b + ", " + h + ", " + t
                                        + ", " + k + "]: head h's channels sit side by side at h·D .. h·D + D - 1");
                    }
                }
            }
        }
        INDArray y = rand(3, 2, 6, 8);
        assertEquals(y, HeadSplit.merge(HeadSplit.split(y, 2)), "merge(split(x, 2)) must give back x");
        assertEquals(y, HeadSplit.merge(HeadSplit.split(y, 8)), "merge(split(x, 8)) must give back x");
    }

    @Graded(id = "04.3", points = 1, title = "inputs unchanged; the result is a new array, not a view")
    void freshArrays() {
        INDArray x = rand(4, 2, 3, 4);
        INDArray before = x.dup();
        INDArray heads = HeadSplit.split(x, 2);
        heads.assign(0);
        assertEquals(before, x, "writing into split's result changed x: return a copy, not a view");
        INDArray h2 = rand(5, 2, 2, 3, 2);
        INDArray h2before = h2.dup();
        HeadSplit.merge(h2).assign(0);
        assertEquals(h2before, h2, "writing into merge's result changed its input: return a copy, not a view");
    }

    @Graded(id = "04.3", points = 1, title = "C not divisible by H, wrong ranks: clear errors")
    void rejectsBadShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeadSplit.split(Nd4j.zeros(DataType.FLOAT, 2, 4, 10), 3),
                "C = 10 channels cannot be split into 3 heads of equal size");
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains("10") && m.contains("3"), "the error must name C (10) and H (3); got: " + m);
        assertThrows(IllegalArgumentException.class, () -> HeadSplit.split(Nd4j.zeros(DataType.FLOAT, 4, 10), 2),
                "a rank-2 input (no batch axis)");
        assertThrows(IllegalArgumentException.class, () -> HeadSplit.split(Nd4j.zeros(DataType.FLOAT, 2, 4, 10), 0),
                "nHead = 0");
        assertThrows(IllegalArgumentException.class, () -> HeadSplit.merge(Nd4j.zeros(DataType.FLOAT, 2, 4, 10)),
                "merge of a rank-3 array");
    }
}
