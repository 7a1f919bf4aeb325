package org.bigmodels.exercises.lesson09;

import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.IN;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.N;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.OUT;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.cols;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.rows;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.same;
import static org.bigmodels.exercises.lesson09.ParallelLinearHarness.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.bigmodels.grading.Graded;
import org.bigmodels.tensorparallel.TensorParallelTraffic;

/**
 * Graded tests for exercise 09.2. Reference: the dense y = x·W + b and its gradients computed with plain double loops
 * ({@link ParallelLinearHarness}); rank r of p receives x's columns [r·IN/p, (r+1)·IN/p) and must hold W's rows there.
 */
class StudentRowParallelLinearTest {

    static List<ParallelLinearHarness.Result> run(ParallelLinearHarness h, int p) {
        return h.run(p, StudentRowParallelLinear::new, (r, q) -> cols(h.x, r * IN / q, (r + 1) * IN / q),
                (r, q) -> h.r);
    }

    /** The partial product x_r·W_r of rank r (no sum, no bias), for diagnosing. */
    static double[][] partial(ParallelLinearHarness h, int r, int p) {
        double[][] out = new double[N][OUT];
        for (int i = 0; i < N; i++)
            for (int o = 0; o < OUT; o++)
                for (int k = r * IN / p; k < (r + 1) * IN / p; k++) out[i][o] += h.x[i][k] * h.w[k][o];
        return out;
    }

    @Graded(id = "09.2", points = 3, title = "row-parallel forward == the dense output on every rank, p = 1, 2, 4")
    void forwardEqualsDense() {
        ParallelLinearHarness h = new ParallelLinearHarness(93);
        for (int p : new int[] {1, 2, 4}) {
            List<ParallelLinearHarness.Result> out = run(h, p);
            for (int r = 0; r < p; r++) {
                var res = out.get(r);
                long[] ws = res.weightShape();
                if (ws[0] != IN / p || ws[1] != OUT) {
                    fail("p = " + p + ": rank " + r + " keeps a weight of shape [" + ws[0] + ", " + ws[1]
                            + "], expected [" + IN / p + ", " + OUT + "]: a row-parallel layer splits W [in, out] by "
                            + "its INPUT rows, matching the slice of x it receives");
                }
                if (same(h.y, res.y())) continue;
                double[][] partialPlusBias = partial(h, r, p);
                for (int i = 0; i < N; i++) for (int o = 0; o < OUT; o++) partialPlusBias[i][o] += h.b[o];
                double k = res.y().length == N && res.y()[0].length == OUT ? (res.y()[0][0] - h.y[0][0]) / h.b[0] : 0;
                if (k >= 0.5 && Math.abs(k - Math.rint(k)) < 1e-9) {
                    double[][] extra = new double[N][OUT];
                    for (int i = 0; i < N; i++) for (int o = 0; o < OUT; o++) extra[i][o] = h.y[i][o] + k * h.b[o];
                    if (same(extra, res.y())) {
                        fail("p = " + p + ": rank " + r + "'s output is the dense output plus " + (long) Math.rint(k)
                                + " extra bias(es): the bias was added on every rank before the sum (or twice). Add "
                                + "it once, after the all-reduce");
                    }
                }
                if (p > 1 && (same(partialPlusBias, res.y()) || same(partial(h, r, p), res.y()))) {
                    fail("p = " + p + ": rank " + r + "'s output is only its own partial product x_r·W_r: you forgot "
                            + "the all-reduce in forward (operator g sums the partial products over the ranks)");
                }
                fail("p = " + p + ": rank " + r + "'s output differs from the dense x·W + b");
            }
        }
    }

    @Graded(id = "09.2", points = 4, title = "row-parallel backward: dW rows, whole db, dx slice, no backward traffic")
    void backwardEqualsDense() {
        ParallelLinearHarness h = new ParallelLinearHarness(94);
        for (int p : new int[] {1, 2, 4}) {
            List<ParallelLinearHarness.Result> out = run(h, p);
            for (int r = 0; r < p; r++) {
                var res = out.get(r);
                int lo = r * IN / p, hi = (r + 1) * IN / p;
                if (p > 1 && res.bytesBackward() > 0) {
                    fail("p = " + p + ": rank " + r + " sent " + res.bytesBackward() + " bytes in backward: "
                            + "all-reducing in the wrong direction? dL/dy is already the same on every rank (the output "
                            + "is), so the row-parallel backward needs no communication (operator g is the identity "
                            + "backward)");
                }
                assertEquals(TensorParallelTraffic.allReduceBytes(p, (long) N * OUT, 8), res.bytesForward(), 0.0,
                        "p = " + p + ": forward should send exactly one ring all-reduce of y's size");
                if (!same(rows(h.dw, lo, hi), res.dw())) {
                    fail("p = " + p + ": rank " + r + "'s weight gradient " + shape(res.dw()) + " is not the dense dW's "
                            + "rows " + lo + ".." + hi);
                }
                if (!same(h.db, res.db())) {
                    fail("p = " + p + ": rank " + r + "'s bias gradient is not the dense db (keep the whole bias on "
                            + "every rank, added once after the sum)");
                }
                if (!same(cols(h.dx, lo, hi), res.dx())) {
                    fail("p = " + p + ": rank " + r + "'s dL/dx_r differs from the dense R·Wᵀ's columns " + lo + ".."
                            + hi);
                }
            }
        }
    }
}
