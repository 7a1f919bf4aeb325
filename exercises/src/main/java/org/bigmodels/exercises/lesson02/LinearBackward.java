package org.bigmodels.exercises.lesson02;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 02.2 (lesson 02-backprop-from-scratch): the backward pass of a linear layer.
 *
 * <p>Forward: {@code Y = X·W + b} with X [N, in], W [in, out], b [out] (added to every row), Y [N, out]. Backward:
 * given {@code dY = dL/dY} [N, out], return the gradients of the loss with respect to X, W and b. Each is a sum over
 * the paths through which that input reached Y: write {@code Y_nj = sum_i X_ni W_ij + b_j} and differentiate.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 02}.
 */
public final class LinearBackward {

    private LinearBackward() {
    }

    /** The three gradients, each the shape of the input it belongs to. */
    public record Grads(INDArray dX, INDArray dW, INDArray db) {
    }

    /**
     * @param x  the layer's input [N, in]
     * @param w  its weights [in, out]
     * @param dY the gradient of the loss with respect to its output [N, out]
     * @return dX [N, in], dW [in, out], db [out]; new arrays, the inputs left unchanged
     */
    public static Grads backward(INDArray x, INDArray w, INDArray dY) {
        throw new UnsupportedOperationException("not implemented yet: LinearBackward.backward -- differentiate Y_nj ="
                + " sum_i X_ni W_ij + b_j with respect to each input and sum over the paths: dX has the shape of X"
                + " [N, in], dW of W [in, out], db of b [out]; let the shapes tell you which matrix to transpose."
                + " Pitfall: db is summed over the N rows, not averaged");
    }
}
