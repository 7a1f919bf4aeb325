package org.bigmodels.nn;

import java.util.List;

/**
 * The floating-point operations (FLOPs) of a model's forward and backward pass on one batch, counted from its matrix
 * products: a product [m, k]·[k, n] costs 2·m·k·n FLOPs (a multiply and an add per term). Bias additions,
 * activations, softmax, layer norm and the optimizer's update are not counted: they cost a few operations per
 * element, not per element times a width, and are a small share for any layer wider than a few dozen (Kaplan et al.
 * 2020, "Scaling Laws for Neural Language Models", section 2.1, counts the same way).
 *
 * <p>Backward: a linear layer y = x·W needs dW = xᵀ·g (as many FLOPs as the forward product) and, unless x is the
 * data, dx = g·Wᵀ (as many again). So a training step costs about 3× the forward pass, minus the first layer's
 * input gradient in an MLP, whose input is data. Divide by measured seconds for achieved FLOP/s (03-mlp-mnist,
 * 04-tiny-gpt, {@code LeNetBenchmark}); {@link ModelMath} gives the per-token estimate 6N + 12·nLayer·T·C for GPTs
 * too large to build.
 */
public final class Flops {
    private Flops() {}

    // ------------------------------------------------------------------ MLP

    /**
     * Forward FLOPs of an MLP on {@code batch} examples: Σ over its Linear layers of 2·batch·in·out.
     *
     * @throws IllegalArgumentException if batch < 1
     */
    public static double forward(MLP model, long batch) {
        checkBatch(batch);
        double f = 0;
        for (Linear l : model.linears()) f += 2.0 * batch * l.in() * l.out();
        return f;
    }

    /**
     * Backward FLOPs of an MLP on {@code batch} examples: every layer's weight gradient (2·batch·in·out) and every
     * layer's input gradient except the first's (its input is the data, which needs no gradient).
     */
    public static double backward(MLP model, long batch) {
        checkBatch(batch);
        List<Linear> linears = model.linears();
        double f = 0;
        for (int i = 0; i < linears.size(); i++) {
            Linear l = linears.get(i);
            double product = 2.0 * batch * l.in() * l.out();
            f += i == 0 ? product : 2 * product;
        }
        return f;
    }

    /** A training step's FLOPs: forward + backward (the optimizer's update is not counted). */
    public static double trainingStep(MLP model, long batch) {
        return forward(model, batch) + backward(model, batch);
    }

    // ------------------------------------------------------------------ GPT

    /**
     * Forward FLOPs of a {@link GPT} of this configuration on ids [batch, tokens]. Per block and sequence, with
     * C = nEmbd and T = tokens: the q, k, v projection 2·T·C·3C, the output projection 2·T·C·C, the MLP 2·T·C·4C twice
     * (together 24·T·C²), and attention's two parameter-free products q·kᵀ and weights·v, 2·T·T·C each (all T×T
     * scores are computed, the causal mask only hides half of them); then the head 2·T·C·vocabSize. The embeddings
     * are lookups, no FLOPs.
     *
     * @throws IllegalArgumentException if batch < 1 or tokens is outside [1, blockSize]
     */
    public static double forward(GPTConfig config, long batch, long tokens) {
        checkBatch(batch);
        if (tokens < 1 || tokens > config.blockSize()) {
            throw new IllegalArgumentException("Flops: expected 1 <= tokens <= blockSize " + config.blockSize()
                    + ", got " + tokens);
        }
        double c = config.nEmbd(), t = tokens;
        double perBlock = 24.0 * t * c * c + 4.0 * t * t * c;
        double head = 2.0 * t * c * config.vocabSize();
        return batch * (config.nLayer() * perBlock + head);
    }

    /**
     * Backward FLOPs of a GPT on ids [batch, tokens]: twice the forward count, since every product's two inputs need
     * a gradient (weights, and activations that descend from the trainable embeddings).
     */
    public static double backward(GPTConfig config, long batch, long tokens) {
        return 2 * forward(config, batch, tokens);
    }

    /** A training step's FLOPs: forward + backward = 3 × forward. */
    public static double trainingStep(GPTConfig config, long batch, long tokens) {
        return forward(config, batch, tokens) + backward(config, batch, tokens);
    }

    /** {@link #forward(GPTConfig, long, long)} for a built model. */
    public static double forward(GPT model, long batch, long tokens) {
        return forward(model.config(), batch, tokens);
    }

    /** {@link #backward(GPTConfig, long, long)} for a built model. */
    public static double backward(GPT model, long batch, long tokens) {
        return backward(model.config(), batch, tokens);
    }

    /** {@link #trainingStep(GPTConfig, long, long)} for a built model. */
    public static double trainingStep(GPT model, long batch, long tokens) {
        return trainingStep(model.config(), batch, tokens);
    }

    private static void checkBatch(long batch) {
        if (batch < 1) throw new IllegalArgumentException("Flops: expected a batch of at least 1 example, got " + batch);
    }
}
