package org.bigmodels.exercises.lesson03;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 03.1 (lesson 03-mlp-mnist): the gradient of softmax cross-entropy.
 *
 * <p>For logits z [N, C] and integer targets t, the mean cross-entropy is
 * {@code L = (1/N) sum_n -log softmax(z_n)[t_n]}, with {@code softmax(z)_c = exp(z_c) / sum_k exp(z_k)}. Differentiating
 * gives the famous simple result {@code dL/dz = (softmax(z) - onehot(t)) / N}: every class is pushed down by its
 * predicted probability, the right class pulled up by 1. It is why frameworks fuse the softmax into the loss.
 *
 * <p>Both methods must be numerically stable: subtract each row's maximum before exponentiating, so logits of 1000
 * do not overflow to infinity.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 03}.
 */
public final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {
    }

    /**
     * @param logits  [N, C]
     * @param targets N class indices in [0, C)
     * @return the mean cross-entropy in nats
     */
    public static double loss(INDArray logits, int[] targets) {
        throw new UnsupportedOperationException("not implemented yet: SoftmaxCrossEntropy.loss -- per row, the loss is"
                + " log-sum-exp of the logits minus the target's logit; average over the rows. Pitfall: exp of a"
                + " logit of 1000 overflows: factor out the row maximum before exponentiating");
    }

    /**
     * @param logits  [N, C]
     * @param targets N class indices in [0, C)
     * @return dL/dlogits [N, C] = (softmax(logits) - onehot(targets)) / N, a new array of the logits' type
     */
    public static INDArray gradLogits(INDArray logits, int[] targets) {
        throw new UnsupportedOperationException("not implemented yet: SoftmaxCrossEntropy.gradLogits -- the gradient"
                + " is (softmax - onehot(target)) / N, row by row [N, C]. Pitfalls: the same overflow as in loss"
                + " (factor out the row maximum); forgetting the 1/N of the mean");
    }
}
