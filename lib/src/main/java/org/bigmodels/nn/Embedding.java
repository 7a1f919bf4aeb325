package org.bigmodels.nn;

import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A table of learned vectors, one per id: ids [...] give vectors [..., dim]. Parameter: "weight" [vocab, dim]. */
public class Embedding extends Module {
    private final Tensor weight;

    public Embedding(long vocab, long dim, DataType type, Random rng) {
        if (vocab <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: expected positive sizes, got vocab=" + vocab + ", dim=" + dim);
        }
        this.weight = param("weight", Init.normal(rng, type, 0.02, vocab, dim));
    }

    /**
     * The vectors [..., dim] of integer ids [...] (any shape, any numeric type holding whole numbers), as a
     * {@link Tensor} that records the graph ({@link Ops#embedding}).
     *
     * @throws IllegalArgumentException if an id is not a whole number in [0, vocab)
     */
    public Tensor forward(INDArray ids) {
        return Ops.embedding(weight, ids);
    }

    /** The table, "weight" [vocab, dim]; row i is the vector of id i. */
    public Tensor weight() {
        return weight;
    }
}
