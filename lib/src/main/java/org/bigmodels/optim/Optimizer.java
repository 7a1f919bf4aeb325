package org.bigmodels.optim;

import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates parameters from their gradients. {@link #step()} applies one update at the current learning rate; a
 * schedule changes it with {@link #setLearningRate}. Taught in 03-mlp-mnist.
 *
 * <p>An optimizer's state (Adam's moments and step counts, SGD's velocity, the learning rate) is part of a training
 * checkpoint: {@link #state} and {@link #loadState} key it by the parameters' names in the model (their dotted paths,
 * {@code "<name>.<slot>"}), so it loads into a freshly built model and optimizer (see
 * {@link org.bigmodels.train.Checkpoint#saveTraining}).
 */
public interface Optimizer {
    /** One update of every parameter that has a gradient. */
    void step();

    /** Clears every parameter's gradient. */
    default void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    List<Tensor> parameters();

    /** The parameter groups (one per weight-decay setting), in the order given. */
    default List<ParamGroup> paramGroups() {
        return List.of(new ParamGroup(parameters(), 0.0));
    }

    double learningRate();

    void setLearningRate(double lr);

    /**
     * A copy of the optimizer's state, keyed {@code "lr"}, {@code "<param name>.<slot>"} (and other global keys), with
     * the names taken from {@code namedParameters} (a model's {@code namedParameters()}).
     *
     * @throws IllegalArgumentException if one of the optimizer's parameters is not in {@code namedParameters}
     * @throws UnsupportedOperationException if this optimizer cannot be checkpointed
     */
    default Map<String, INDArray> state(Map<String, Tensor> namedParameters) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not save its state");
    }

    /**
     * Restores a state written by {@link #state} (copied in; nothing is changed unless all of it fits).
     *
     * @throws IllegalArgumentException when a key, shape or type does not match this optimizer's parameters
     */
    default void loadState(Map<String, INDArray> state, Map<String, Tensor> namedParameters) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not load a state");
    }
}
