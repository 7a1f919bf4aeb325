package org.bigmodels.spark;

import java.util.Arrays;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The course {@link MLP} (ReLU, float32) with the mean cross-entropy loss, as a serializable {@link ModelSpec}.
 *
 * @param sizes layer sizes, input first (e.g. {784, 64, 10})
 * @param seed  the initialisation seed (every replica built from this spec starts with the same weights)
 */
public record MlpSpec(long[] sizes, long seed) implements ModelSpec<MLP> {

    public MlpSpec {
        if (sizes == null || sizes.length < 2) {
            throw new IllegalArgumentException("MlpSpec: expected at least an input and an output size, got "
                    + Arrays.toString(sizes));
        }
        sizes = sizes.clone();
    }

    @Override
    public MLP build() {
        return new MLP(sizes, Activation.RELU, DataType.FLOAT, seed);
    }

    @Override
    public Tensor loss(MLP model, Batch batch) {
        return Ops.crossEntropy(model.forward(batch.x()), batch.y());
    }
}
