package org.bigmodels.exercises.lesson01;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;

import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Graded tests for exercise 01.1. References: hand-worked cases, and ND4J itself: {@code INDArray.stride()} of a fresh
 * 'c' array, and, for views, the buffer position that ND4J reads (the arrays here hold their own buffer positions as
 * values, so {@code view.getDouble(index)} is the answer).
 */
class StridesTest {

    /** A [shape] array in the given order whose buffer position p holds the value p. */
    static INDArray positions(char order, long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Nd4j.create(v, shape, order);
    }

    static long[] columnMajor(long... shape) {
        long[] s = new long[shape.length];
        long p = 1;
        for (int k = 0; k < shape.length; k++) {
            s[k] = p;
            p *= shape[k];
        }
        return s;
    }

    static void checkRowMajor(long[] expected, long[] shape) {
        long[] got = Strides.rowMajor(shape.clone());
        if (shape.length > 1 && Arrays.equals(got, columnMajor(shape)) && !Arrays.equals(got, expected)) {
            fail("rowMajor" + Arrays.toString(shape) + " gave " + Arrays.toString(got) + ", the column-major ('f')"
                    + " strides: in row-major order the LAST axis has stride 1; walk the axes from the last");
        }
        if (Arrays.equals(got, Arrays.stream(expected).map(s -> 8 * s).toArray()) && expected.length > 0) {
            fail("rowMajor" + Arrays.toString(shape) + " gave " + Arrays.toString(got) + ": strides here count"
                    + " elements, not bytes");
        }
        assertArrayEquals(expected, got, "row-major strides of " + Arrays.toString(shape));
    }

    @Graded(id = "01.1", points = 2, title = "rowMajor: hand cases and ND4J's stride() of 'c' arrays")
    void rowMajorStrides() {
        checkRowMajor(new long[] {12, 4, 1}, new long[] {2, 3, 4});
        checkRowMajor(new long[] {1}, new long[] {7});
        checkRowMajor(new long[] {}, new long[] {});
        checkRowMajor(new long[] {60, 20, 5, 1}, new long[] {2, 3, 4, 5});
        checkRowMajor(new long[] {5, 5, 1}, new long[] {4, 1, 5});
        for (long[] shape : List.of(new long[] {3, 4}, new long[] {5, 2, 3}, new long[] {2, 3, 2, 3, 2})) {
            long[] nd4j = Nd4j.create(DataType.FLOAT, shape, 'c').stride();
            long[] got = Strides.rowMajor(shape.clone());
            assertArrayEquals(nd4j, got, "strides of " + Arrays.toString(shape) + " compared with ND4J's stride()");
        }
    }

    @Graded(id = "01.1", points = 1, title = "rowMajor rejects a negative size")
    void rowMajorRejectsNegative() {
        assertThrows(IllegalArgumentException.class, () -> Strides.rowMajor(2, -3, 4), "shape [2, -3, 4]");
    }

    /** Every element of the view: the learner's offset must be the buffer position ND4J reads. */
    static void checkView(String what, INDArray view) {
        long[] shape = view.shape();
        long[] strides = view.stride();
        long base = view.offset();
        long n = view.length();
        long[] index = new long[shape.length];
        for (long e = 0; e < n; e++) {
            long rest = e;
            for (int k = shape.length - 1; k >= 0; k--) {
                index[k] = rest % shape[k];
                rest /= shape[k];
            }
            long expected = (long) view.getDouble(index);
            long got = Strides.offset(index.clone(), shape.clone(), strides.clone(), base);
            if (got != expected) {
                String hint = "";
                long contiguous = base;
                long[] rm = rowMajorReference(shape);
                for (int k = 0; k < shape.length; k++) {
                    contiguous += index[k] * rm[k];
                }
                if (got == contiguous) {
                    hint = " -- you used row-major strides of the shape instead of the view's strides " + Arrays.toString(strides);
                } else if (got == expected - base) {
                    hint = " -- you left out the base offset " + base;
                }
                fail(what + ": element " + Arrays.toString(index) + " of shape " + Arrays.toString(shape) + ", strides "
                        + Arrays.toString(strides) + ", base offset " + base + " is at buffer position " + expected
                        + ", got " + got + hint);
            }
        }
    }

    static long[] rowMajorReference(long[] shape) {
        long[] s = new long[shape.length];
        long p = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            s[k] = p;
            p *= shape[k];
        }
        return s;
    }

    @Graded(id = "01.1", points = 1, title = "offset: hand cases (row-major, transposed, with a base offset)")
    void offsetHandCases() {
        assertEquals(23, Strides.offset(new long[] {1, 2, 3}, new long[] {2, 3, 4}, new long[] {12, 4, 1}, 0),
                "[1, 2, 3] of a [2, 3, 4] row-major array: 1*12 + 2*4 + 3*1");
        assertEquals(0, Strides.offset(new long[] {}, new long[] {}, new long[] {}, 0), "a scalar's only element");
        // the transpose of a [2, 3] row-major array is [3, 2] with strides [1, 3]: element [2, 1] is original [1, 2]
        assertEquals(5, Strides.offset(new long[] {2, 1}, new long[] {3, 2}, new long[] {1, 3}, 0),
                "element [2, 1] of the transpose of a [2, 3] array is the original's [1, 2] at 1*3 + 2");
        assertEquals(107, Strides.offset(new long[] {1, 1}, new long[] {2, 2}, new long[] {5, 1}, 101),
                "a [2, 2] slice starting at buffer position 101, row stride 5: 101 + 5 + 1");
    }

    @Graded(id = "01.1", points = 3, title = "offset of every element of ND4J views: 'c', 'f', permuted, sliced")
    void offsetMatchesNd4jViews() {
        INDArray c = positions('c', 2, 3, 4, 5);
        checkView("a 'c' array", c);
        checkView("an 'f' array", positions('f', 2, 3, 4, 5));
        checkView("c.permute(3, 1, 0, 2)", c.permute(3, 1, 0, 2));
        checkView("a transposed matrix", positions('c', 4, 6).transpose());
        INDArray slice = c.get(NDArrayIndex.point(1), NDArrayIndex.interval(1, 3), NDArrayIndex.all(),
                NDArrayIndex.interval(2, 5));
        assertEquals(true, slice.offset() > 0, "test set-up: the slice must start past buffer position 0");
        checkView("the slice c[1, 1:3, :, 2:5]", slice);
        checkView("a slice of a permuted view", c.permute(3, 1, 0, 2).get(NDArrayIndex.interval(1, 4),
                NDArrayIndex.point(2)));
    }

    @Graded(id = "01.1", points = 1, title = "offset rejects an index outside its axis and mismatched lengths")
    void offsetRejectsBadIndex() {
        long[] shape = {2, 3};
        long[] strides = {3, 1};
        assertThrows(IllegalArgumentException.class, () -> Strides.offset(new long[] {0, 3}, shape, strides, 0),
                "index 3 on an axis of size 3 (it would silently read the next row)");
        assertThrows(IllegalArgumentException.class, () -> Strides.offset(new long[] {-1, 0}, shape, strides, 0),
                "index -1");
        assertThrows(IllegalArgumentException.class, () -> Strides.offset(new long[] {1}, shape, strides, 0),
                "one index for a rank-2 array");
        assertThrows(IllegalArgumentException.class, () -> Strides.offset(new long[] {1, 1}, shape, new long[] {1}, 0),
                "one stride for a rank-2 array");
    }
}
