package org.bigmodels.pipeline;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The balanced partitioner equals brute force over every cut; the count split is what it says. */
class StagePartitionerTest {

    static double bruteForce(double[] c, int p, int from) {
        if (p == 1) {
            double s = 0;
            for (int i = from; i < c.length; i++) s += c[i];
            return s;
        }
        double best = Double.POSITIVE_INFINITY, s = 0;
        for (int end = from + 1; end <= c.length - (p - 1); end++) {
            s += c[end - 1];
            best = Math.min(best, Math.max(s, bruteForce(c, p - 1, end)));
        }
        return best;
    }

    @Test
    void balancedEqualsBruteForce() {
        Random r = new Random(1);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + r.nextInt(9), p = 1 + r.nextInt(n);
            double[] c = new double[n];
            for (int i = 0; i < n; i++) c[i] = r.nextInt(4) == 0 ? 0 : r.nextDouble() * 10;
            int[] cuts = new BalancedPartitioner().partition(c, p);
            assertEquals(p + 1, cuts.length);
            for (int s = 0; s < p; s++) assertTrue(cuts[s + 1] > cuts[s], "non-empty stages");
            assertEquals(bruteForce(c, p, 0), StagePartitioner.slowest(c, cuts), 1e-9);
        }
    }

    @Test
    void countSplitAndErrors() {
        assertArrayEquals(new int[]{0, 3, 5, 7}, new CountPartitioner().partition(new double[7], 3));
        var e = assertThrows(IllegalArgumentException.class, () -> new BalancedPartitioner().partition(new double[2], 3));
        assertTrue(e.getMessage().contains("more stages than layers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BalancedPartitioner().partition(new double[]{1, -1}, 1));
    }

    @Test
    void hugeCostsStillGiveNonEmptyStages() {
        // 4 x 1e308 sums to infinity: without rescaling every cut looked equal and stages came out empty
        int[] cuts = new BalancedPartitioner().partition(new double[]{1e308, 1e308, 1e308, 1e308}, 3);
        for (int k = 0; k < 3; k++) assertTrue(cuts[k + 1] > cuts[k], "stage " + k + " is empty: " + Arrays.toString(cuts));
        assertArrayEquals(new BalancedPartitioner().partition(new double[]{1, 1, 1, 1}, 3), cuts,
                "the split must not depend on the scale of the costs");
    }
}
