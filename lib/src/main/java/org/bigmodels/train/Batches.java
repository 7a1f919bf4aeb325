package org.bigmodels.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of a dataset held in memory: the example order is shuffled with a seeded generator per epoch (so a run
 * is repeatable), and the last, smaller batch is kept. The batches copy their rows into fresh row-major arrays.
 */
public final class Batches {
    private Batches() {}

    /** The batches of epoch {@code epoch} (0-based), shuffled by (seed, epoch). */
    public static List<Batch> epoch(INDArray x, INDArray y, int batchSize, long seed, int epoch) {
        if (x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("Batches: expected as many targets as inputs, got " + x.size(0)
                    + " inputs and " + y.size(0) + " targets");
        }
        if (batchSize <= 0) throw new IllegalArgumentException("Batches: batchSize must be positive, got " + batchSize);
        int n = (int) x.size(0);
        int[] order = permutation(n, new Random(seed * 1_000_003L + epoch));
        List<Batch> out = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            int[] rows = java.util.Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
            out.add(new Batch(take(x, rows), take(y, rows)));
        }
        return out;
    }

    /** The number of batches of one epoch: ceil(n / batchSize), the last one smaller when it does not divide. */
    public static int count(long n, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("Batches: batchSize must be positive, got " + batchSize);
        return Math.toIntExact((n + batchSize - 1) / batchSize);
    }

    /** A uniformly random permutation of 0..n−1 (the Fisher–Yates shuffle, Knuth TAOCP vol. 2 §3.4.2, Algorithm P). */
    public static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static INDArray take(INDArray a, int[] rows) {
        if (a.rank() == 1) {
            return Nd4j.pullRows(a.reshape(a.length(), 1), 1, rows).reshape(rows.length);
        }
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', a.size(0), a.length() / a.size(0));
        INDArray picked = Nd4j.pullRows(flat, 1, rows, 'c');
        long[] shape = a.shape().clone();
        shape[0] = rows.length;
        return picked.reshape('c', shape);
    }
}
