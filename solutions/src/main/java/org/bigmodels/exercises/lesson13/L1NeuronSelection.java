package org.bigmodels.exercises.lesson13;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 13.1 (lesson 13-structured-pruning): which neurons to keep, by the L1 norm of their incoming weights.
 *
 * <p>A Linear layer y = x·W + b has W of shape [in, out]: neuron j's incoming weights are column j, W[:, j]. Its L1
 * norm is the sum over i of |W[i, j]| (Li et al. 2017 rank filters this way). Removing a fraction f of the n neurons
 * removes the round(f·n) with the smallest norms (ties: the lower index goes first).
 *
 * <p>Replace the {@code throw} below with your code, then run {@code ./course grade 13}.
 */
public final class L1NeuronSelection {
    private L1NeuronSelection() {
    }

    /**
     * The indices of the neurons to keep, in ascending order.
     *
     * @param w        the layer's weights [in, out] (left unchanged)
     * @param fraction the fraction of the out neurons to remove, in [0, 1)
     * @return the kept neuron indices, ascending, n - round(fraction·n) of them
     * @throws IllegalArgumentException if fraction is outside [0, 1), or every neuron would be removed
     */
    public static int[] keep(INDArray w, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
        }
        int n = (int) w.size(1);
        double[] s = w.norm1(0).toDoubleVector();
        int remove = (int) Math.round(fraction * n);
        if (remove >= n) throw new IllegalArgumentException("removing " + remove + " of " + n + " neurons leaves none");
        boolean[] removed = new boolean[n];
        for (int r = 0; r < remove; r++) {
            int worst = -1;
            for (int j = 0; j < n; j++) if (!removed[j] && (worst < 0 || s[j] < s[worst])) worst = j;
            removed[worst] = true;
        }
        int[] keep = new int[n - remove];
        for (int j = 0, k = 0; j < n; j++) if (!removed[j]) keep[k++] = j;
        return keep;
    }
}
