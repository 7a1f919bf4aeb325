package org.bigmodels.spark;

import java.io.Serializable;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.train.Batch;

/**
 * What a Spark task needs to rebuild the model on an executor: a recipe, not the model. Spark serialises closures
 * and everything they capture (Java serialization, {@code spark.closure.serializer}); an engine {@link Module} holds
 * ND4J arrays and autograd state and is not meant to be shipped, so the driver ships this spec and a flat
 * {@code float[]} of the weights ({@link ParameterVectors}), and each task builds its replica and loads them.
 * Implementations must be {@link Serializable} with serializable fields (a lambda captured from a notebook cell is
 * not: use a record, like {@link MlpSpec}).
 *
 * @param <M> the model type
 */
public interface ModelSpec<M extends Module> extends Serializable {

    /** A fresh replica (its initial weights are replaced by the driver's before use, so any seed will do). */
    M build();

    /** The MEAN loss of {@code batch} for {@code model} (a scalar tensor that depends on the parameters). */
    Tensor loss(M model, Batch batch);
}
