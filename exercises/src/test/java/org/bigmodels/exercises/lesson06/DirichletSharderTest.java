package org.bigmodels.exercises.lesson06;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.bigmodels.grading.Graded;

/**
 * Graded tests for exercise 06.1. References: the partition checked index by index; the share of a class on a worker
 * against the closed-form variance of one component of a symmetric Dirichlet, (W-1) / (W²(W·alpha + 1)).
 */
class DirichletSharderTest {
    static final int CLASSES = 10, PER_CLASS = 400, W = 4;

    /** CLASSES classes of PER_CLASS examples each, interleaved (label of example i is a scrambled i mod CLASSES). */
    static int[] labels() {
        int[] y = new int[CLASSES * PER_CLASS];
        for (int i = 0; i < y.length; i++) y[i] = (i * 7 + i / CLASSES) % CLASSES;
        return y;
    }

    static void assertPartition(int[][] shards, int n, int workers, String what) {
        assertNotNull(shards, what + ": returned null");
        assertEquals(workers, shards.length, what + ": expected one index array per worker");
        int[] seen = new int[n];
        for (int w = 0; w < workers; w++) {
            assertNotNull(shards[w], what + ": worker " + w + "'s shard is null (use an empty array)");
            for (int i : shards[w]) {
                if (i < 0 || i >= n) fail(what + ": index " + i + " on worker " + w + " is outside [0, " + n + ")");
                seen[i]++;
            }
        }
        for (int i = 0; i < n; i++) {
            if (seen[i] != 1) {
                fail(what + ": example " + i + " is placed " + seen[i] + " times; every example must go to exactly one"
                        + " worker (cut each class's examples at the cumulative shares, and give the rounding rest to"
                        + " the last worker)");
            }
        }
    }

    /** share[w][c] = fraction of class c's examples on worker w. */
    static double[][] shares(int[][] shards, int[] y) {
        double[][] s = new double[shards.length][CLASSES];
        int[] size = new int[CLASSES];
        for (int c : y) size[c]++;
        for (int w = 0; w < shards.length; w++) for (int i : shards[w]) s[w][y[i]] += 1.0 / size[y[i]];
        return s;
    }

    static double closedFormVariance(double alpha) {
        return (W - 1.0) / (W * W * (W * alpha + 1));
    }

    /** Variance of the shares around 1/W, pooled over seeds, classes and workers. */
    static double measuredVariance(int[] y, double alpha, int seeds) {
        double sum = 0;
        int count = 0;
        for (int seed = 0; seed < seeds; seed++) {
            double[][] s = shares(DirichletSharder.partition(y, W, alpha, 1000 + seed), y);
            for (double[] row : s) {
                for (double p : row) {
                    sum += (p - 1.0 / W) * (p - 1.0 / W);
                    count++;
                }
            }
        }
        return sum / count;
    }

    @Graded(id = "06.1", points = 2, title = "every example on exactly one worker, for several alphas and worker counts")
    void exactPartition() {
        int[] y = labels();
        for (double alpha : new double[] {0.05, 0.5, 5, 500}) {
            for (int workers : new int[] {1, 3, 4, 7}) {
                int[] before = y.clone();
                assertPartition(DirichletSharder.partition(y, workers, alpha, 3), y.length, workers,
                        "partition(alpha=" + alpha + ", W=" + workers + ")");
                assertArrayEquals(before, y, "the labels must be left unchanged");
            }
        }
        int[] tiny = {2, 0, 2, 1, 0};
        assertPartition(DirichletSharder.partition(tiny, 5, 1.0, 9), 5, 5, "5 examples on 5 workers");
    }

    @Graded(id = "06.1", points = 1, title = "the same seed gives the same shards, another seed other shards")
    void seededReproducibility() {
        int[] y = labels();
        int[][] a = DirichletSharder.partition(y, W, 0.5, 42);
        int[][] b = DirichletSharder.partition(y, W, 0.5, 42);
        int[][] c = DirichletSharder.partition(y, W, 0.5, 43);
        for (int w = 0; w < W; w++) {
            int[] sa = a[w].clone(), sb = b[w].clone();
            Arrays.sort(sa);
            Arrays.sort(sb);
            assertArrayEquals(sa, sb, "worker " + w + ": the same seed must give the same shard (draw every random"
                    + " number from generators seeded with the seed, never from Math.random or an unseeded Random)");
        }
        boolean differ = false;
        for (int w = 0; w < W; w++) differ |= a[w].length != c[w].length;
        assertTrue(differ, "seeds 42 and 43 gave shards of the same sizes on every worker: is the seed used?");
    }

    @Graded(id = "06.1", points = 3, title = "share variance follows the Dirichlet closed form, growing as alpha falls")
    void skewFollowsTheDirichletVariance() {
        int[] y = labels();
        double previous = -1;
        for (double alpha : new double[] {10, 1, 0.1}) {
            double measured = measuredVariance(y, alpha, 40);
            double expected = closedFormVariance(alpha);
            double ratio = measured / expected;
            if (!(ratio > 0.75 && ratio < 1.33)) {
                fail(String.format("alpha = %s: the share of a class on a worker has variance %.5f, the Dirichlet's is "
                        + "(W-1)/(W²(W·alpha+1)) = %.5f (ratio %.2f). Draw W Gamma(alpha, 1) values and divide by their "
                        + "sum (a uniform random split or a Gamma(1/alpha) draw has another spread)", alpha, measured,
                        expected, ratio));
            }
            assertTrue(measured > previous, "the skew must grow as alpha falls: variance " + measured + " at alpha "
                    + alpha + " is not above " + previous);
            previous = measured;
        }
    }

    @Graded(id = "06.1", points = 2, title = "every class draws its own proportions")
    void eachClassDrawsItsOwnShares() {
        int[] y = labels();
        double alpha = 0.3;
        double sum = 0;
        int seeds = 40;
        for (int seed = 0; seed < seeds; seed++) {
            double[][] s = shares(DirichletSharder.partition(y, W, alpha, 500 + seed), y);
            double[] worker0 = s[0];
            double mean = Arrays.stream(worker0).average().orElse(0);
            double var = 0;
            for (double p : worker0) var += (p - mean) * (p - mean);
            sum += var / (CLASSES - 1);
        }
        double within = sum / seeds;
        double expected = closedFormVariance(alpha);
        if (!(within > 0.6 * expected)) {
            fail(String.format("worker 0's shares of the 10 classes vary by %.5f within one partition, expected about "
                    + "%.5f: draw new Dirichlet proportions for EVERY class (one draw shared by all classes gives every "
                    + "worker the global label mix: shards of different sizes, but IID labels)", within, expected));
        }
    }

    @Graded(id = "06.1", points = 1, title = "alpha -> 0 gives each class to one worker; oneClassPerWorker")
    void oneClassPerWorkerLimit() {
        int[] y = labels();
        double[][] s = shares(DirichletSharder.partition(y, W, 0.01, 77), y);
        int whole = 0;
        for (int c = 0; c < CLASSES; c++) {
            double max = 0;
            for (int w = 0; w < W; w++) max = Math.max(max, s[w][c]);
            if (max > 0.95) whole++;
        }
        assertTrue(whole >= 8, "with alpha = 0.01 almost every class should sit on one worker, got " + whole
                + " of 10 classes with > 95% on one worker");
        int[][] one = DirichletSharder.oneClassPerWorker(y, CLASSES);
        assertPartition(one, y.length, CLASSES, "oneClassPerWorker(W = 10)");
        for (int w = 0; w < CLASSES; w++) {
            long classes = Arrays.stream(one[w]).map(i -> y[i]).distinct().count();
            assertEquals(1, classes, "oneClassPerWorker with W = classes: worker " + w + " must hold exactly one class");
            assertEquals(PER_CLASS, one[w].length, "worker " + w + " must hold all of its class");
        }
        int[][] five = DirichletSharder.oneClassPerWorker(y, 5);
        assertPartition(five, y.length, 5, "oneClassPerWorker(W = 5)");
        for (int w = 0; w < 5; w++) {
            assertEquals(2, Arrays.stream(five[w]).map(i -> y[i]).distinct().count(),
                    "10 classes on 5 workers: worker " + w + " must hold two whole classes");
        }
    }

    @Graded(id = "06.1", points = 1, title = "bad input gets a clear IllegalArgumentException")
    void badInput() {
        int[] y = {0, 1, 2, 1};
        expectMessage(() -> DirichletSharder.partition(y, 0, 1, 1), "0", "workers = 0");
        expectMessage(() -> DirichletSharder.partition(y, 5, 1, 1), "5", "more workers than examples");
        expectMessage(() -> DirichletSharder.partition(y, 2, 0, 1), "alpha", "alpha = 0");
        expectMessage(() -> DirichletSharder.partition(y, 2, Double.NaN, 1), "alpha", "alpha = NaN");
        expectMessage(() -> DirichletSharder.partition(y, 2, Double.POSITIVE_INFINITY, 1), "alpha", "alpha = inf");
        expectMessage(() -> DirichletSharder.partition(new int[] {0, -1}, 2, 1, 1), "-1", "a negative label");
        expectMessage(() -> DirichletSharder.partition(null, 2, 1, 1), null, "null labels");
        expectMessage(() -> DirichletSharder.oneClassPerWorker(new int[] {0, 0, 1, 1}, 3), "3",
                "2 classes on 3 workers");
    }

    static void expectMessage(Runnable call, String mustContain, String what) {
        IllegalArgumentException e;
        try {
            call.run();
            fail(what + ": expected an IllegalArgumentException, got no error");
            return;
        } catch (IllegalArgumentException ex) {
            e = ex;
        } catch (UnsupportedOperationException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            fail(what + ": expected an IllegalArgumentException with a clear message, got " + ex);
            return;
        }
        assertNotNull(e.getMessage(), what + ": the error needs a message");
        if (mustContain != null) {
            assertTrue(e.getMessage().contains(mustContain), what + ": the message should mention " + mustContain
                    + ", got: " + e.getMessage());
        }
        assertFalse(e.getMessage().isBlank(), what + ": the message is blank");
    }
}
