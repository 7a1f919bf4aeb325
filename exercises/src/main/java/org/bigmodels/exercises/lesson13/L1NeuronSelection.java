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
        throw new UnsupportedOperationException("not implemented yet: L1NeuronSelection.keep -- score each neuron "
                + "by the sum of the absolute values of its incoming weights (a column of W [in, out], not a row), "
                + "remove the round(fraction*n) lowest, return the rest sorted. Pitfalls: a signed sum lets large "
                + "negative weights look unimportant; rows are the inputs; check the fraction first");
    }
}
