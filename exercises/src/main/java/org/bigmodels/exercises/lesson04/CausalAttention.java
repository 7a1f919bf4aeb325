package org.bigmodels.exercises.lesson04;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 04.2 (lesson 04-tiny-gpt): causal attention for one head.
 *
 * <p>Queries q [T, d] and keys k [T, d] give scores {@code S = q·kᵀ / sqrt(d)} [T, T]; position i may only look at
 * positions j <= i, so {@code S_ij = -infinity} for j > i; a softmax over each row turns scores into weights that
 * sum to 1, and the future gets weight exactly 0 (exp(-infinity) = 0). The output is the weighted average of the
 * values: {@code weights · v}.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 04}.
 */
public final class CausalAttention {

    private CausalAttention() {
    }

    /**
     * @param q queries [T, d]
     * @param k keys [T, d]
     * @return the attention weights [T, T]: row i is softmax over j of the masked scores, 0 for every j > i
     */
    public static INDArray weights(INDArray q, INDArray k) {
        throw new UnsupportedOperationException("not implemented yet: CausalAttention.weights -- scores are q times k"
                + " transposed [T, T], scaled by 1/sqrt(d); a query may not see later keys (column > row), so those"
                + " scores become minus infinity; then a stable softmax along each row. Pitfall: setting future"
                + " scores to 0 instead of minus infinity still gives them weight");
    }

    /**
     * @param q queries [T, d]
     * @param k keys [T, d]
     * @param v values [T, dv]
     * @return the outputs [T, dv]: weights(q, k) · v
     */
    public static INDArray attend(INDArray q, INDArray k, INDArray v) {
        throw new UnsupportedOperationException("not implemented yet: CausalAttention.attend -- each output row is the"
                + " weighted average of the value rows, with the weights of that query: [T, T] times [T, dv]");
    }
}
