package org.bigmodels.exercises.lesson02;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 02.2 (lesson 02-backprop-from-scratch): the backward pass of a linear layer. Reference solution.
 */
public final class LinearBackward {

    private LinearBackward() {
    }

    public record Grads(INDArray dX, INDArray dW, INDArray db) {
    }

    public static Grads backward(INDArray x, INDArray w, INDArray dY) {
        // Y_nj = sum_i X_ni W_ij + b_j, so dL/dX_ni = sum_j dY_nj W_ij, dL/dW_ij = sum_n X_ni dY_nj, dL/db_j = sum_n dY_nj
        INDArray dX = dY.mmul(w.transpose());
        INDArray dW = x.transpose().mmul(dY);
        INDArray db = dY.sum(0);
        return new Grads(dX, dW, db);
    }
}
