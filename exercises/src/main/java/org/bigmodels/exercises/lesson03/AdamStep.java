package org.bigmodels.exercises.lesson03;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 03.2 (lesson 03-mlp-mnist): one step of Adam, written out.
 *
 * <p>Adam keeps two running averages per weight, m of the gradient and v of its square. At step t (1, 2, ...):
 * <pre>
 *   m = beta1·m + (1 - beta1)·g
 *   v = beta2·v + (1 - beta2)·g²
 *   mHat = m / (1 - beta1^t);   vHat = v / (1 - beta2^t)        (bias correction: m and v start at 0)
 *   w = w - lr · mHat / (sqrt(vHat) + eps)
 * </pre>
 * On the first step, with m = v = 0, mHat = g and vHat = g², so every weight moves by about lr, whatever the size of
 * its gradient: Adam's steps have the scale of the learning rate, not of the gradient.
 *
 * <p>Replace the {@code throw} below with your code, then run {@code ./course grade 03}.
 */
public final class AdamStep {

    private AdamStep() {
    }

    /** The weights and both moments after the step. */
    public record Result(INDArray w, INDArray m, INDArray v) {
    }

    /**
     * @param w the weights; left unchanged
     * @param g their gradient; left unchanged
     * @param m the first moment before the step (zeros before step 1); left unchanged
     * @param v the second moment before the step (zeros before step 1); left unchanged
     * @param t the number of this step, starting at 1
     * @return new arrays: the updated weights, m and v
     */
    public static Result step(INDArray w, INDArray g, INDArray m, INDArray v, int t, double lr, double beta1,
                              double beta2, double eps) {
        throw new UnsupportedOperationException("not implemented yet: AdamStep.step -- update both moving averages"
                + " with the new gradient, correct each for its start at zero by dividing by 1 - beta^t, and move w"
                + " by lr times the corrected first moment over the square root of the corrected second plus eps."
                + " Pitfall: the in-place ND4J ops would change the caller's w, m and v");
    }
}
