package org.bigmodels.exercises.lesson01;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 01.2. References: hand cases (among them the NumPy user guide's examples) and ND4J's own
 * broadcasting add ({@link AddOp} on two arrays of the given shapes) as the independent reference.
 */
class BroadcastShapeTest {

    static void check(long[] expected, long[] a, long[] b) {
        long[] a0 = a.clone();
        long[] b0 = b.clone();
        long[] got;
        try {
            got = BroadcastShape.of(a, b);
        } catch (IllegalArgumentException e) {
            fail(Arrays.toString(a0) + " and " + Arrays.toString(b0) + " do broadcast, to " + Arrays.toString(expected)
                    + ", but of() threw: " + e.getMessage() + " -- align the shapes on the RIGHT; a missing axis counts"
                    + " as size 1");
            return;
        }
        if (!Arrays.equals(expected, got) && Arrays.equals(maxShape(a0, b0), got)) {
            fail(Arrays.toString(a0) + " with " + Arrays.toString(b0) + " gave " + Arrays.toString(got) + ", expected "
                    + Arrays.toString(expected) + " -- a size 1 stretches to the other size, even to 0: the result is"
                    + " not max(sa, sb)");
        }
        assertArrayEquals(expected, got, "broadcast shape of " + Arrays.toString(a0) + " and " + Arrays.toString(b0));
        assertArrayEquals(a0, a, "of() must leave its first argument unchanged");
        assertArrayEquals(b0, b, "of() must leave its second argument unchanged");
    }

    static long[] maxShape(long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int k = 1; k <= n; k++) {
            out[n - k] = Math.max(k <= a.length ? a[a.length - k] : 1, k <= b.length ? b[b.length - k] : 1);
        }
        return out;
    }

    @Graded(id = "01.2", points = 2, title = "hand cases: right alignment, size 1 stretches, 1 vs 0 is 0")
    void handCases() {
        check(new long[] {2, 3}, new long[] {2, 3}, new long[] {3});
        check(new long[] {4, 3}, new long[] {4, 1}, new long[] {3});
        check(new long[] {4, 3}, new long[] {3}, new long[] {4, 1});
        check(new long[] {8, 7, 6, 5}, new long[] {8, 1, 6, 1}, new long[] {7, 1, 5});
        check(new long[] {15, 3, 5}, new long[] {15, 3, 5}, new long[] {15, 1, 5});
        check(new long[] {2, 2}, new long[] {}, new long[] {2, 2});
        check(new long[] {0}, new long[] {1}, new long[] {0});
        check(new long[] {5, 4, 0}, new long[] {5, 1, 0}, new long[] {1, 4, 1});
    }

    @Graded(id = "01.2", points = 2, title = "random compatible pairs agree with ND4J's broadcasting add")
    void matchesNd4j() {
        Random r = new Random(11);
        for (int trial = 0; trial < 40; trial++) {
            int rank = 1 + r.nextInt(4);
            long[] full = new long[rank];
            for (int k = 0; k < rank; k++) {
                full[k] = 2 + r.nextInt(3);
            }
            long[] a = randomSide(full, r);
            long[] b = randomSide(full, r);
            INDArray sum = Nd4j.exec(new AddOp(new INDArray[] {Nd4j.ones(DataType.FLOAT, a), Nd4j.ones(DataType.FLOAT, b)},
                    null))[0];
            check(sum.shape(), a, b);
        }
    }

    /** A shape that broadcasts to {@code full}: a random suffix of it, with some sizes replaced by 1. */
    static long[] randomSide(long[] full, Random r) {
        int drop = r.nextInt(full.length);
        long[] s = Arrays.copyOfRange(full, drop, full.length);
        for (int k = 0; k < s.length; k++) {
            if (r.nextInt(3) == 0) {
                s[k] = 1;
            }
        }
        return s;
    }

    static void checkIncompatible(long[] a, long[] b, int axisFromRight) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BroadcastShape.of(a, b),
                Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast: expected an"
                        + " IllegalArgumentException (sizes must be equal or one of them 1)");
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains(Arrays.toString(a)) && m.contains(Arrays.toString(b)),
                "the error must name both shapes, " + Arrays.toString(a) + " and " + Arrays.toString(b) + "; got: " + m);
        assertTrue(m.contains("axis -" + axisFromRight),
                "the error must name the offending axis, 'axis -" + axisFromRight + "' (counted from the right); got: " + m);
    }

    @Graded(id = "01.2", points = 2, title = "incompatible shapes: error names both shapes and the axis")
    void incompatible() {
        checkIncompatible(new long[] {2, 3}, new long[] {4}, 1);
        checkIncompatible(new long[] {2, 3, 4}, new long[] {5, 4}, 2);
        checkIncompatible(new long[] {7, 1, 3}, new long[] {6, 2, 1}, 3);
        // left alignment would accept this pair ([3] against the 3 of [3, 4]); right alignment must not
        checkIncompatible(new long[] {3, 4}, new long[] {3}, 1);
    }
}
