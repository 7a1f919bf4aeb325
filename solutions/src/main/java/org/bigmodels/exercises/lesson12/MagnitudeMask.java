package org.bigmodels.exercises.lesson12;

/**
 * Exercise 12.1 (lesson 12-weight-pruning): a magnitude mask at a target sparsity, exact count.
 *
 * <p>Magnitude pruning removes the weights of smallest |w|. At sparsity s over n weights, exactly
 * {@code k = Math.round(s·n)} must be removed, even when several weights have the same |w| (a threshold "|w| below
 * the k-th value" removes every tie, so more than k). Ties rule: rank by |w| ascending, equal |w| by position (for
 * one array its flat index; for several arrays, the earlier array first, then the index): the earlier is pruned first.
 * The mask holds 1 for kept and 0 for pruned weights. Layer-wise: each array alone; global: one ranking over all.
 * The library does this in org.bigmodels.prune.MagnitudePruning (do not call it).
 *
 * <p>Replace the {@code throw}s below with your code, then run {@code ./course grade 12}.
 */
public final class MagnitudeMask {
    private MagnitudeMask() {
    }

    /** See the exercise. */
    public static double[] mask(double[] w, double sparsity) {
        return global(new double[][] {w}, sparsity)[0];
    }

    /** See the exercise. */
    public static double[][] global(double[][] ws, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("expected a sparsity in [0, 1), got " + sparsity);
        }
        if (ws.length == 0) throw new IllegalArgumentException("expected at least one array, got none");
        int total = 0;
        for (double[] w : ws) total += w.length;
        double[] all = new double[total];
        int at = 0;
        for (double[] w : ws) {
            System.arraycopy(w, 0, all, at, w.length);
            at += w.length;
        }
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Double.compare(Math.abs(all[a]), Math.abs(all[b]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        double[] m = new double[total];
        java.util.Arrays.fill(m, 1);
        long k = Math.round(sparsity * total);
        for (int i = 0; i < k; i++) m[order[i]] = 0;
        double[][] out = new double[ws.length][];
        at = 0;
        for (int i = 0; i < ws.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(m, at, at + ws[i].length);
            at += ws[i].length;
        }
        return out;
    }
}
