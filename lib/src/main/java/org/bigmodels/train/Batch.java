package org.bigmodels.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Inputs and targets of one minibatch (first axis = examples). */
public record Batch(INDArray x, INDArray y) {
    public long size() {
        return x.size(0);
    }
}
