package org.bigmodels.dataparallel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Non-IID shards against the Dirichlet's closed form: with W workers and concentration α, a worker's share of a class
 * has mean 1/W and variance (W−1)/(W²(Wα+1)). Seeded, so the statistics are the same on every run.
 */
class LabelSkewShardsTest {
    static final int CLASSES = 100, PER_CLASS = 1000, W = 4;

    static int[] labels() {
        int[] labels = new int[CLASSES * PER_CLASS];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 7919) % CLASSES; // classes interleaved
        return labels;
    }

    static void assertPartition(int[][] shards, int n) {
        int[] seen = new int[n];
        for (int[] s : shards) for (int i : s) seen[i]++;
        for (int i = 0; i < n; i++) assertEquals(1, seen[i], "example " + i + " must be in exactly one shard");
    }

    /** The empirical variance of the shares count[w][c] / PER_CLASS over workers and classes (mean known: 1/W). */
    static double shareVariance(int[][] counts) {
        double s = 0;
        for (int[] row : counts) for (int c : row) s += Math.pow((double) c / PER_CLASS - 1.0 / W, 2);
        return s / (W * CLASSES);
    }

    @Test
    void dirichletSharesHaveTheRequestedSkew() {
        int[] labels = labels();
        for (double alpha : new double[] {0.1, 1.0, 10.0}) {
            int[][] shards = LabelSkewShards.dirichlet(labels, W, alpha, 2024);
            assertPartition(shards, labels.length);
            double expected = (W - 1.0) / (W * W * (W * alpha + 1));
            double got = shareVariance(LabelSkewShards.labelCounts(shards, labels));
            // (W-1)·100 = 300 degrees of freedom: the relative standard error of the variance is about 8 %
            assertEquals(expected, got, 0.3 * expected, "share variance for alpha = " + alpha);
        }
    }

    @Test
    void theSameSeedGivesTheSameShards() {
        int[] labels = labels();
        assertTrue(Arrays.deepEquals(LabelSkewShards.dirichlet(labels, W, 0.5, 1),
                LabelSkewShards.dirichlet(labels, W, 0.5, 1)));
        assertFalse(Arrays.deepEquals(LabelSkewShards.dirichlet(labels, W, 0.5, 1),
                LabelSkewShards.dirichlet(labels, W, 0.5, 2)));
    }

    @Test
    void oneClassPerWorkerIsTheExtreme() {
        int[] labels = {0, 1, 2, 0, 1, 2, 2};
        int[][] shards = LabelSkewShards.oneClassPerWorker(labels, 3);
        assertPartition(shards, labels.length);
        int[][] counts = LabelSkewShards.labelCounts(shards, labels);
        assertArrayEquals(new int[] {2, 0, 0}, counts[0]);
        assertArrayEquals(new int[] {0, 2, 0}, counts[1]);
        assertArrayEquals(new int[] {0, 0, 3}, counts[2]);
        // fewer workers than classes: classes dealt round-robin, still one label set per worker, disjoint
        int[][] two = LabelSkewShards.oneClassPerWorker(labels, 2);
        assertArrayEquals(new int[] {0, 2, 3, 5, 6}, two[0]);
        assertArrayEquals(new int[] {1, 4}, two[1]);
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        int[] labels = {0, 1, 0, 1};
        var e = assertThrows(IllegalArgumentException.class, () -> LabelSkewShards.dirichlet(labels, 0, 1, 1));
        assertTrue(e.getMessage().contains("at least 1 worker"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabelSkewShards.dirichlet(labels, 5, 1, 1));
        assertTrue(e.getMessage().contains("more workers (5) than examples (4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelSkewShards.dirichlet(labels, 2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> LabelSkewShards.dirichlet(labels, 2, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> LabelSkewShards.dirichlet(new int[] {0, -1}, 2, 1, 1));
        e = assertThrows(IllegalArgumentException.class, () -> LabelSkewShards.oneClassPerWorker(labels, 3));
        assertTrue(e.getMessage().contains("2 classes for 3 workers"), e.getMessage());
    }
}
