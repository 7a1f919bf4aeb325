package org.bigmodels.optim;

import java.util.List;
import org.bigmodels.engine.Tensor;

/**
 * Updates parameters from their gradients. {@link #step()} applies one update at the current learning rate; a
 * schedule changes it with {@link #setLearningRate}. Taught in 03-mlp-mnist.
 */
public interface Optimizer {
    /** One update of every parameter that has a gradient. */
    void step();

    /** Clears every parameter's gradient. */
    default void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    List<Tensor> parameters();

    double learningRate();

    void setLearningRate(double lr);
}
