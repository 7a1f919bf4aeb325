package org.bigmodels.nn;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import java.util.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = x·W + b} with W of shape [in, out] (DL4J's layout, so the bridge copies weights as they are) and b of
 * shape [out]. Weights start He-normal, biases at zero. Parameters: "weight", "bias".
 */
public class Linear extends Module implements Layer {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(long in, long out, boolean bias, DataType type, Random rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: expected positive sizes, got in=" + in + ", out=" + out);
        }
        this.weight = param("weight", Init.he(rng, type, in, in, out));
        this.bias = bias ? param("bias", Nd4j.zeros(type, out)) : null;
    }

    public Linear(long in, long out, DataType type, Random rng) {
        this(in, out, true, type, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }

    /** The weight W [in, out]. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, or null for a layer made without one. */
    public Tensor bias() {
        return bias;
    }

    /** The number of input features (in). */
    public long in() {
        return weight.size(0);
    }

    /** The number of output features (out). */
    public long out() {
        return weight.size(1);
    }
}
