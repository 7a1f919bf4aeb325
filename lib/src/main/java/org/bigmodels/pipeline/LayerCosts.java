package org.bigmodels.pipeline;

import java.util.Arrays;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-unit costs of a {@link StagedModel} for a {@link StagePartitioner}: measured (each unit's forward + backward
 * on a real batch, median of repeats, in seconds) or counted (training FLOPs from the matrix products, as
 * {@link org.bigmodels.nn.Flops} counts them).
 */
public final class LayerCosts {
    private LayerCosts() {}

    /**
     * Seconds per unit for one forward and backward on (inputs, targets): each unit runs alone on the previous
     * unit's output, its output's gradient seeded with ones (the loss included in the last unit); median of
     * {@code repeats} after one warm-up.
     *
     * @throws IllegalArgumentException when repeats < 1
     */
    public static double[] measured(StagedModel model, INDArray inputs, INDArray targets, int repeats) {
        if (repeats < 1) throw new IllegalArgumentException("LayerCosts: expected repeats >= 1, got " + repeats);
        int n = model.size();
        double[][] t = new double[n][repeats];
        for (int r = -1; r < repeats; r++) {
            INDArray x = inputs;
            for (int i = 0; i < n; i++) {
                Tensor in = i == 0 ? Tensor.of(x) : new Tensor(x.dup(), true);
                long t0 = System.nanoTime();
                Tensor out = model.forward(i, i + 1, in);
                if (i == n - 1) out = model.loss(out, targets);
                if (out.requiresGrad()) out.backward(out.value().ulike().assign(1));
                long t1 = System.nanoTime();
                if (r >= 0) t[i][r] = (t1 - t0) / 1e9;
                x = out.value();
            }
            model.parameters().forEach(Tensor::zeroGrad);
        }
        double[] med = new double[n];
        for (int i = 0; i < n; i++) {
            Arrays.sort(t[i]);
            med[i] = t[i][repeats / 2];
        }
        return med;
    }

    /**
     * Training FLOPs (forward + backward = 3 × forward) per unit of {@code StagedModel.of(gpt)} on ids
     * [batch, tokens]: 0 for the embeddings (lookups), 3·batch·(24·T·C² + 4·T²·C) per block, 3·batch·2·T·C·V for the
     * head.
     */
    public static double[] flops(GPT gpt, long batch, long tokens) {
        GPTConfig c = gpt.config();
        double ch = c.nEmbd(), t = tokens;
        double[] out = new double[c.nLayer() + 2];
        for (int i = 1; i <= c.nLayer(); i++) out[i] = 3.0 * batch * (24 * t * ch * ch + 4 * t * t * ch);
        out[c.nLayer() + 1] = 3.0 * batch * 2 * t * ch * c.vocabSize();
        return out;
    }
}
