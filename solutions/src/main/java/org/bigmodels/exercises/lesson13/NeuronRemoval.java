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
        long hidden = w1.size(1);
        if (w1.rank() != 2 || w2.rank() != 2 || b1.length() != hidden || w2.size(0) != hidden) {
            throw new IllegalArgumentException("expected W1 [in, h], b1 [h], W2 [h, out]");
        }
        if (keep.length == 0) throw new IllegalArgumentException("keep at least one neuron");
        for (int i = 0; i < keep.length; i++) {
            if (keep[i] < 0 || keep[i] >= hidden || (i > 0 && keep[i] <= keep[i - 1])) {
                throw new IllegalArgumentException("keep must be ascending indices in [0, " + hidden + ")");
            }
        }
        INDArray nw1 = w1.getColumns(keep).dup();
        INDArray nb1 = org.nd4j.linalg.factory.Nd4j.create(b1.dataType(), keep.length);
        INDArray flatB = b1.reshape(b1.length());
        for (int i = 0; i < keep.length; i++) nb1.putScalar(i, flatB.getDouble(keep[i]));
        INDArray nw2 = w2.getRows(keep).dup();
        return new INDArray[] {nw1, nb1, nw2};
    }
}
