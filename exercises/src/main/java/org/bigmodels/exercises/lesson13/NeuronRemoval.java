package org.bigmodels.exercises.lesson13;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 13.2 (lesson 13-structured-pruning): physically remove hidden neurons from a pair of Linear layers.
 *
 * <p>Two layers h = act(x·W1 + b1), y = h·W2 + b2 with W1 [in, hidden], b1 [hidden], W2 [hidden, out]. Keeping only
 * the hidden neurons {@code keep} gives a smaller pair whose output y equals the big pair's with the other neurons
 * zeroed. Which entries of W1, b1 and W2 belong to hidden neuron j?
 *
 * <p>Replace the {@code throw} below with your code, then run {@code ./course grade 13}.
 */
public final class NeuronRemoval {
    private NeuronRemoval() {
    }

    /**
     * The smaller layer pair.
     *
     * @param w1   [in, hidden] (left unchanged)
     * @param b1   [hidden] (left unchanged)
     * @param w2   [hidden, out] (left unchanged; b2 does not change)
     * @param keep the hidden neurons to keep, ascending, each in [0, hidden), at least one
     * @return new arrays {W1' [in, k], b1' [k], W2' [k, out]} with k = keep.length, same type as the inputs
     * @throws IllegalArgumentException if keep is empty, unsorted or out of range, or the shapes do not fit together
     */
    public static INDArray[] remove(INDArray w1, INDArray b1, INDArray w2, int[] keep) {
        throw new UnsupportedOperationException("not implemented yet: NeuronRemoval.remove -- hidden neuron j is "
                + "column j of W1, entry j of b1 and row j of W2 (its outgoing weights); keep those for the kept "
                + "neurons and copy them into new arrays. Pitfalls: removing rows of W2 is right, columns are the "
                + "outputs; forgetting b1 leaves it [hidden]; check keep before indexing");
    }
}
