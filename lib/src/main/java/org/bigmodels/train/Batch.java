package org.bigmodels.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Inputs and targets of one minibatch (first axis = examples). */
public record Batch(INDArray x, INDArray y) {
    /** The number of examples: the first axis of {@code x}. */
    public long size() {
        return x.size(0);
    }
}
