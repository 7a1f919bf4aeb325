package org.bigmodels.exercises.lesson12;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.bigmodels.grading.Graded;
import org.junit.jupiter.api.Test;

/**
 * Graded tests for exercises 12.1 and 12.2. References: counting and comparing against a sorted copy of |w| in plain
 * loops, hand-made ties, and equation 1 of Zhu and Gupta written out at chosen steps.
 */
class WeightPruningExercisesTest {

    static int zeros(double[] m) {
        int z = 0;
        for (double v : m) if (v == 0) z++;
        return z;
    }

    @Graded(id = "12.1", points = 3, title = "exactly round(s·n) zeros, at the smallest |w|")
    @Test
    void exactCountAtSmallestMagnitudes() {
        Random r = new Random(5);
        double[] w = new double[851];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        double[] sorted = new double[w.length];
        for (int i = 0; i < w.length; i++) sorted[i] = Math.abs(w[i]);
        java.util.Arrays.sort(sorted);
        for (double s : new double[] {0, 0.25, 0.5, 0.92, 0.999}) {
            double[] m = MagnitudeMask.mask(w, s);
            int k = (int) Math.round(s * w.length);
            if (zeros(m) != k) fail("sparsity " + s + ": expected exactly Math.round(s·n) = " + k + " zeros, got " + zeros(m));
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0 && k > 0 && Math.abs(w[i]) > sorted[k - 1]) {
                    fail("sparsity " + s + ": pruned w[" + i + "] = " + w[i] + " although smaller |w| were kept; rank "
                            + "by |w| (a large negative weight is important too)");
                }
            }
        }
    }

    @Graded(id = "12.1", points = 2, title = "ties: exact count, earlier index pruned first")
    @Test
    void ties() {
        double[] w = {0.5, -0.5, 0.5, 2, -0.5, 1};
        double[] m = MagnitudeMask.mask(w, 0.5);
        if (zeros(m) != 3) fail("four weights tie at |w| = 0.5 and s·n = 3: expected exactly 3 zeros, got " + zeros(m)
                + " (a threshold on |w| prunes every tie)");
        assertEquals(java.util.List.of(0.0, 0.0, 0.0, 1.0, 1.0, 1.0),
                java.util.Arrays.stream(m).boxed().toList(), "among ties the earlier index is pruned first");
    }

    @Graded(id = "12.1", points = 2, title = "global ranks all layers together; bad sparsity rejected")
    @Test
    void globalVsLayerwise() {
        double[] big = {3, -4, 5, 6}, tiny = {0.1, -0.2, 0.3, 0.4};
        double[][] g = MagnitudeMask.global(new double[][] {big, tiny}, 0.5);
        if (zeros(g[1]) != 4 || zeros(g[0]) != 0) {
            fail("global at 0.5 over 8 weights must remove the 4 smallest overall (all of the tiny layer), got "
                    + zeros(g[0]) + " and " + zeros(g[1]) + " zeros: that is layer-wise pruning, not global");
        }
        assertThrows(IllegalArgumentException.class, () -> MagnitudeMask.mask(big, 1.0), "s = 1 must be rejected");
        assertThrows(IllegalArgumentException.class, () -> MagnitudeMask.mask(big, -0.1), "s < 0 must be rejected");
    }

    @Graded(id = "12.2", points = 3, title = "the cubic schedule follows equation 1 and clamps")
    @Test
    void cubic() {
        double si = 0.1, sf = 0.9;
        int t0 = 100, n = 10, dt = 20;
        for (int t : new int[] {0, 100, 110, 150, 199, 250, 300, 500}) {
            double want = t <= t0 ? si : t >= t0 + n * dt ? sf
                    : sf + (si - sf) * Math.pow(1 - (t - t0) / (double) (n * dt), 3);
            double got = CubicSchedule.sparsity(si, sf, t0, n, dt, t);
            if (Math.abs(got - want) > 1e-12) {
                fail("at t = " + t + " expected " + want + ", got " + got + (got == si || got == sf
                        ? " (an integer division in (t − t0)/(n·Δt)?)" : " (the cube of 1 − progress scales s_i − s_f)"));
            }
        }
    }

    @Graded(id = "12.2", points = 2, title = "between pruning steps the sparsity in force does not change")
    @Test
    void inForce() {
        double a = CubicSchedule.inForce(0, 0.8, 10, 4, 5, 17);
        assertEquals(0.8 + (0 - 0.8) * Math.pow(1 - 5 / 20.0, 3), a, 1e-12, "at t = 17 the last pruning step is t = 15");
        assertEquals(0.0, CubicSchedule.inForce(0, 0.8, 10, 4, 5, 3), 1e-12, "before t0: s_i");
        assertEquals(0.8, CubicSchedule.inForce(0, 0.8, 10, 4, 5, 99), 1e-12, "after the end: s_f");
    }
}
