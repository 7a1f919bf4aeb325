package org.bigmodels.exercises.lesson09;

import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.IN;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.N;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.OUT;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.cols;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.same;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.bigmodels.grading.Graded;
import org.bigmodels.tensorparallel.TensorParallelTraffic;

/**
 * Graded tests for exercise 09.1. Reference: the dense y = x·W + b and its gradients computed with plain double loops
 * ({@link ParallelLinearHarness}); rank r of p must hold columns [r·OUT/p, (r+1)·OUT/p).
 */
class StudentColumnParallelLinearTest {

    static List<ParallelLinearHarness.Result> run(ParallelLinearHarness h, int p) {
        return h.run(p, StudentColumnParallelLinear::new, (r, q) -> h.x,
                (r, q) -> cols(h.r, r * OUT / q, (r + 1) * OUT / q));
    }

    @Graded(id = "09.1", points = 3, title = "column-parallel forward == the dense output's columns, p = 1, 2, 4")
    void forwardEqualsDenseColumns() {
        ParallelLinearHarness h = new ParallelLinearHarness(91);
        for (int p : new int[] {1, 2, 4}) {
            List<ParallelLinearHarness.Result> out = run(h, p);
            for (int r = 0; r < p; r++) {
                var res = out.get(r);
                long[] ws = res.weightShape();
                if (ws[0] != IN || ws[1] != OUT / p) {
                    fail("p = " + p + ": rank " + r + " keeps a weight of shape [" + ws[0] + ", " + ws[1]
                            + "], expected [" + IN + ", " + OUT / p + "]: a column-parallel layer splits W [in, out] by "
                            + "its OUTPUT columns (splitting the rows is the row-parallel layer)");
                }
                double[][] expected = cols(h.y, r * OUT / p, (r + 1) * OUT / p);
                if (!same(expected, res.y())) {
                    if (p > 1 && res.bytesForward() > 0) {
                        fail("p = " + p + ": rank " + r + "'s output is wrong and the forward pass sent "
                                + res.bytesForward() + " bytes: all-reducing in the wrong direction? A column-parallel "
                                + "forward needs no communication (operator f is the identity forward)");
                    }
                    fail("p = " + p + ": rank " + r + "'s output differs from the dense output's columns "
                            + (r * OUT / p) + ".." + ((r + 1) * OUT / p) + " (did you take the right block of W and b?)");
                }
                assertEquals(0, res.bytesForward(), "p = " + p + ": the forward pass of a column-parallel layer sends "
                        + "nothing (the input is already on every rank)");
            }
        }
    }

    @Graded(id = "09.1", points = 4, title = "column-parallel backward: dW, db slices and the all-reduced dx, p = 1, 2, 4")
    void backwardEqualsDense() {
        ParallelLinearHarness h = new ParallelLinearHarness(92);
        for (int p : new int[] {1, 2, 4}) {
            List<ParallelLinearHarness.Result> out = run(h, p);
            for (int r = 0; r < p; r++) {
                var res = out.get(r);
                int lo = r * OUT / p, hi = (r + 1) * OUT / p;
                if (!same(cols(h.dw, lo, hi), res.dw())) {
                    fail("p = " + p + ": rank " + r + "'s weight gradient " + shape(res.dw()) + " is not the dense dW's "
                            + "columns " + lo + ".." + hi);
                }
                if (!same(java.util.Arrays.copyOfRange(h.db, lo, hi), res.db())) {
                    fail("p = " + p + ": rank " + r + "'s bias gradient is not the dense db's entries " + lo + ".." + hi
                            + " (is the bias split like W's columns?)");
                }
                if (!same(h.dx, res.dx())) {
                    if (p > 1 && res.bytesBackward() == 0) {
                        fail("p = " + p + ": rank " + r + "'s dL/dx is only its own part (R_r·W_rᵀ), and backward sent "
                                + "nothing: you forgot the all-reduce of dL/dx. x feeds every rank's columns, so its "
                                + "gradient is the sum over ranks (operator f, before the product)");
                    }
                    fail("p = " + p + ": rank " + r + "'s dL/dx differs from the dense R·Wᵀ");
                }
                assertEquals(TensorParallelTraffic.allReduceBytes(p, (long) N * IN, 8), res.bytesBackward(), 0.0,
                        "p = " + p + ": backward should send exactly one ring all-reduce of x's size (" + N + "x" + IN
                                + " doubles)");
            }
        }
    }
}
