package org.bigmodels.distill;

import java.util.Random;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Init;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The MNIST models of Hinton et al. 2015 §3 in the course engine: ReLU MLPs, optionally with dropout on the input
 * and on every hidden layer (the teacher was "strongly regularized using dropout and weight-constraints";
 * Srivastava et al. 2014 used p = 0.2 on the input and 0.5 on hidden units). Without dropout the model is the
 * same Linear/ReLU stack as {@link org.bigmodels.nn.MLP} (parameters "0.weight", ...; here dropout layers take
 * positions too).
 */
public final class DistillationModels {
    private DistillationModels() {}

    /**
     * A ReLU MLP of the given sizes (input first, classes last) with dropout {@code inputDropout} before the first
     * Linear and {@code hiddenDropout} after every hidden activation (0 = none), float32.
     *
     * @throws IllegalArgumentException when fewer than 2 sizes or a dropout outside [0, 1)
     */
    public static Sequential mlp(long[] sizes, double inputDropout, double hiddenDropout, long seed) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("DistillationModels.mlp: expected at least an input and an output size, got "
                    + java.util.Arrays.toString(sizes));
        }
        Sequential net = new Sequential();
        Random rng = Init.rng(seed);
        if (inputDropout > 0) net.add(new Dropout(inputDropout));
        for (int i = 0; i + 1 < sizes.length; i++) {
            net.add(new Linear(sizes[i], sizes[i + 1], DataType.FLOAT, rng));
            if (i + 2 < sizes.length) {
                net.add(Activation.RELU);
                if (hiddenDropout > 0) net.add(new Dropout(hiddenDropout));
            }
        }
        return net;
    }
}
