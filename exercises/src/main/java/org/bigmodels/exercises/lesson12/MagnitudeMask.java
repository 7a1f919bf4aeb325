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

    /**
     * The mask of one weight array w (values in row-major order) at sparsity s.
     *
     * @return n values, 1 kept and 0 pruned, with exactly Math.round(s·n) zeros
     * @throws IllegalArgumentException unless 0 &le; s &lt; 1
     */
    public static double[] mask(double[] w, double sparsity) {
        throw new UnsupportedOperationException("not implemented yet: MagnitudeMask.mask -- sort the indices by |w| "
                + "(ties by index), zero the first Math.round(s·n). Pitfalls: a threshold on |w| prunes every tie, so "
                + "not exactly k; sort by |w|, not by w (negative weights are large too); reject s outside [0, 1)");
    }

    /**
     * Global masks of several arrays at sparsity s: one ranking over all their weights.
     *
     * @return one mask per array, in order, with Math.round(s·N) zeros in total (N = all weights)
     * @throws IllegalArgumentException unless 0 &le; s &lt; 1, or for no arrays
     */
    public static double[][] global(double[][] ws, double sparsity) {
        throw new UnsupportedOperationException("not implemented yet: MagnitudeMask.global -- rank all the weights of "
                + "all arrays together (ties: earlier array, then index) and zero the k smallest overall. Pitfall: "
                + "applying the same sparsity to each array is layer-wise pruning, not global");
    }
}
