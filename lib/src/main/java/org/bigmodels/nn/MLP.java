package org.bigmodels.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multi-layer perceptron: Linear layers of the given sizes with one activation between them and none after the
 * last (the loss applies the softmax). {@code MLP.of(784, 300, 100, 10)} is LeNet-300-100, the model of
 * 03-mlp-mnist. Parameters: "0.weight", "0.bias", "2.weight", ... (activations take the odd positions).
 */
public class MLP extends Sequential {
    private final long[] sizes;
    private final Activation activation;
    private final List<Linear> linears = new ArrayList<>();

    public MLP(long[] sizes, Activation activation, DataType type, long seed) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("MLP: expected at least an input and an output size, got "
                    + Arrays.toString(sizes));
        }
        this.sizes = sizes.clone();
        this.activation = activation;
        var rng = Init.rng(seed);
        for (int i = 0; i + 1 < sizes.length; i++) {
            Linear l = new Linear(sizes[i], sizes[i + 1], type, rng);
            linears.add(l);
            add(l);
            if (i + 2 < sizes.length) add(activation);
        }
    }

    /** ReLU, float32, seed 42. */
    public static MLP of(long... sizes) {
        return new MLP(sizes, Activation.RELU, DataType.FLOAT, 42);
    }

    /**
     * Logits [N, out] for a batch of inputs x [N, in], as a {@link Tensor} that records the graph (call
     * {@code backward()} on a loss of it), like {@link GPT#forward(INDArray)}. Same as
     * {@code forward(Tensor.of(x))}, with the input checked first.
     *
     * @throws ShapeException           if x is not [N, in] with in = {@code sizes()[0]}
     * @throws IllegalArgumentException if x's element type is not the model's (cast it with
     *                                  {@code x.castTo(model.dataType())})
     */
    public Tensor forward(INDArray x) {
        if (x.rank() != 2 || x.size(1) != sizes[0] || x.size(0) < 1) {
            throw new ShapeException("MLP", "inputs [N, " + sizes[0] + "] with N >= 1", Arrays.toString(x.shape()));
        }
        if (x.dataType() != dataType()) {
            throw new IllegalArgumentException("MLP: expected inputs of type " + dataType() + " (the model's), got "
                    + x.dataType() + "; cast them with x.castTo(DataType." + dataType() + ")");
        }
        return forward(Tensor.of(x));
    }

    /**
     * The predicted class of each row of x [N, in]: the index of its largest logit, computed without recording a
     * graph ({@link Tensor#noGrad()}). For accuracy and confusion matrices ({@code org.bigmodels.train.Metrics}).
     *
     * @throws ShapeException if x is not [N, in]
     */
    public int[] predict(INDArray x) {
        try (var off = Tensor.noGrad()) {
            return forward(x).value().argMax(1).toIntVector();
        }
    }

    /** The layer sizes, input first and output last (a copy). */
    public long[] sizes() {
        return sizes.clone();
    }

    /** The activation between the Linear layers. */
    public Activation activation() {
        return activation;
    }

    /** The Linear layers in order. */
    public List<Linear> linears() {
        return Collections.unmodifiableList(linears);
    }

    /** The element type of the parameters (and of the inputs {@link #forward(INDArray)} accepts). */
    public DataType dataType() {
        return linears.get(0).weight().dataType();
    }
}
