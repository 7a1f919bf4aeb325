package org.bigmodels.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference of a pruned ReLU {@link MLP} with every weight matrix in {@link CsrMatrix} form: the same logits as the
 * dense model (up to float rounding of the sums' order) from the kept weights only. Its size ({@link #bytes()}) is
 * what the pruned model really costs to store; its speed against the dense model is measured in
 * {@code org.bigmodels.bench.SparseInferenceBenchmark}.
 */
public final class SparseMLP {
    private final List<CsrMatrix> weights = new ArrayList<>();
    private final List<float[]> biases = new ArrayList<>();

    /**
     * Converts {@code mlp} (pruned: its masks applied, so pruned weights are exact zeros).
     *
     * @throws IllegalArgumentException unless the MLP uses ReLU
     */
    public SparseMLP(MLP mlp) {
        if (mlp.activation() != Activation.RELU) {
            throw new IllegalArgumentException("SparseMLP: only ReLU MLPs are supported, got " + mlp.activation());
        }
        for (Linear l : mlp.linears()) {
            weights.add(CsrMatrix.of(l.weight().value()));
            biases.add(l.bias() == null ? new float[(int) l.out()]
                    : l.bias().value().castTo(DataType.FLOAT).dup('c').data().asFloat());
        }
    }

    /**
     * Logits [N, out] (float32) of x [N, in].
     *
     * @throws IllegalArgumentException unless x is [N, in]
     */
    public INDArray forward(INDArray x) {
        CsrMatrix first = weights.get(0);
        if (x.rank() != 2 || x.size(1) != first.in()) {
            throw new IllegalArgumentException("SparseMLP: expected inputs [N, " + first.in() + "], got "
                    + Arrays.toString(x.shape()));
        }
        int n = (int) x.size(0);
        float[] h = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int l = 0; l < weights.size(); l++) {
            CsrMatrix w = weights.get(l);
            float[] y = new float[n * w.out()];
            w.times(h, n, y);
            float[] b = biases.get(l);
            boolean relu = l + 1 < weights.size();
            for (int i = 0; i < y.length; i++) {
                float v = y[i] + b[i % b.length];
                y[i] = relu && v < 0 ? 0 : v;
            }
            h = y;
        }
        return Nd4j.createFromArray(h).reshape('c', n, weights.get(weights.size() - 1).out());
    }

    /** The predicted class of each row of x. */
    public int[] predict(INDArray x) {
        return forward(x).argMax(1).toIntVector();
    }

    /** The CSR weight matrices, in order. */
    public List<CsrMatrix> weights() {
        return List.copyOf(weights);
    }

    /** Bytes stored: the CSR weights plus the biases (4 bytes each). */
    public long bytes() {
        long b = 0;
        for (int l = 0; l < weights.size(); l++) b += weights.get(l).bytes() + 4L * biases.get(l).length;
        return b;
    }
}
