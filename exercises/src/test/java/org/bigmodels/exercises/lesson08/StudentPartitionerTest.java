package org.bigmodels.exercises.lesson08;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.bigmodels.grading.Graded;

/** Graded tests for exercise 08.2. Reference: brute force over every set of cut points, written here. */
class StudentPartitionerTest {

    /** The smallest slowest-stage cost over every way to cut c[from..] into p non-empty contiguous stages. */
    static double bruteForce(double[] c, int p, int from) {
        double rest = 0;
        for (int i = from; i < c.length; i++) rest += c[i];
        if (p == 1) return rest;
        double best = Double.POSITIVE_INFINITY, s = 0;
        for (int end = from + 1; end <= c.length - (p - 1); end++) {
            s += c[end - 1];
            best = Math.min(best, Math.max(s, bruteForce(c, p - 1, end)));
        }
        return best;
    }

    static void checkCuts(int[] cuts, int n, int p, String where) {
        assertNotNull(cuts, where);
        assertEquals(p + 1, cuts.length, where + ": expected p+1 cut points");
        assertEquals(0, cuts[0], where + ": the first cut point is 0");
        assertEquals(n, cuts[p], where + ": the last cut point is n");
        for (int s = 0; s < p; s++) {
            assertTrue(cuts[s + 1] > cuts[s], where + ": stage " + s + " is empty; every stage needs a layer");
        }
    }

    @Graded(id = "08.2", points = 4, title = "slowest stage equals brute force on 400 random cases")
    void matchesBruteForce() {
        Random r = new Random(8);
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + r.nextInt(10), p = 1 + r.nextInt(n);
            double[] c = new double[n];
            for (int i = 0; i < n; i++) c[i] = r.nextInt(5) == 0 ? 0 : Math.round(r.nextDouble() * 100) / 10.0;
            int[] cuts = new StudentPartitioner().partition(c, p);
            String where = "costs " + java.util.Arrays.toString(c) + ", p=" + p;
            checkCuts(cuts, n, p, where);
            double slowest = 0;
            for (int s = 0; s < p; s++) {
                double sum = 0;
                for (int i = cuts[s]; i < cuts[s + 1]; i++) sum += c[i];
                slowest = Math.max(slowest, sum);
            }
            assertEquals(bruteForce(c, p, 0), slowest, 1e-9, where + ": not the best split (greedy filling up to the "
                    + "average is not optimal)");
        }
    }

    @Graded(id = "08.2", points = 1, title = "more stages than layers is refused")
    void refusesTooManyStages() {
        assertThrows(IllegalArgumentException.class, () -> new StudentPartitioner().partition(new double[]{1, 2}, 3),
                "p > n must throw IllegalArgumentException (a stage would be empty)");
    }
}
