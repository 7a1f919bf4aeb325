package org.bigmodels.text;

import java.util.Arrays;
import java.util.Random;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Autoregressive generation: feed the context, turn the logits of the last position into a probability
 * distribution, draw the next token, append it, repeat. Two knobs shape the distribution:
 * <ul>
 *   <li>temperature: logits are divided by it before the softmax; below 1 sharpens (safer, more repetitive), above
 *   1 flattens (more surprising, more mistakes);</li>
 *   <li>top-k: only the k most likely tokens keep a chance (k = 0 keeps them all), which cuts off the long tail
 *   of unlikely characters.</li>
 * </ul>
 * The context is cropped to the model's blockSize (the positions it has embeddings for). Runs without gradients
 * and in evaluation mode (no dropout), restoring the model's mode after. Seeded: same rng, same text. Used in
 * 04-tiny-gpt.
 */
public final class Sampler {
    private Sampler() {}

    /** The prompt followed by {@code newTokens} generated token ids. */
    public static int[] generate(GPT model, int[] prompt, int newTokens, double temperature, int topK, Random rng) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("Sampler: the prompt must hold at least one token");
        }
        if (newTokens < 0) throw new IllegalArgumentException("Sampler: newTokens must be >= 0, got " + newTokens);
        checkKnobs(temperature, topK);
        int[] out = Arrays.copyOf(prompt, prompt.length + newTokens);
        for (int n = prompt.length; n < out.length; n++) {
            out[n] = sampleNext(nextTokenLogits(model, Arrays.copyOf(out, n)), temperature, topK, rng);
        }
        return out;
    }

    /**
     * The logits [vocabSize] that the model gives for the token after {@code context}: the last position's row of
     * {@code model.forward(ids)}, with the context cropped to its last blockSize tokens. Runs without gradients and in
     * evaluation mode (no dropout), then restores the model's mode; the attention weights of this pass stay readable
     * ({@link org.bigmodels.nn.CausalSelfAttention#lastAttentionWeights()}).
     *
     * @throws IllegalArgumentException if the context is empty
     */
    public static double[] nextTokenLogits(GPT model, int[] context) {
        if (context.length == 0) {
            throw new IllegalArgumentException("Sampler: the context must hold at least one token");
        }
        int from = Math.max(0, context.length - model.config().blockSize());
        int t = context.length - from;
        boolean wasTraining = model.isTraining();
        model.train(false);
        try (var off = Tensor.noGrad()) {
            INDArray ids = Nd4j.createFromArray(Arrays.copyOfRange(context, from, context.length)).reshape(1, t);
            INDArray logits = model.forward(ids).value(); // [1, T, V]
            return logits.get(NDArrayIndex.point(0), NDArrayIndex.point(t - 1), NDArrayIndex.all()).toDoubleVector();
        } finally {
            model.train(wasTraining);
        }
    }

    /** Text version: encodes the prompt, generates, decodes prompt and continuation together. */
    public static String generate(GPT model, CharTokenizer tokenizer, String prompt, int newChars, double temperature,
                                  int topK, Random rng) {
        return tokenizer.decode(generate(model, tokenizer.encode(prompt), newChars, temperature, topK, rng));
    }

    /** The probabilities sampling uses: softmax(logits / temperature), restricted to the top k (ties kept). */
    public static double[] distribution(double[] logits, double temperature, int topK) {
        checkKnobs(temperature, topK);
        double cut = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < logits.length) {
            double[] sorted = logits.clone();
            Arrays.sort(sorted);
            cut = sorted[sorted.length - topK];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = logits[i] >= cut ? Math.exp((logits[i] - max) / temperature) : 0.0;
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /** Draws one token id from {@link #distribution}. */
    public static int sampleNext(double[] logits, double temperature, int topK, Random rng) {
        double[] p = distribution(logits, temperature, topK);
        double u = rng.nextDouble(), acc = 0;
        int lastPositive = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) lastPositive = i;
            acc += p[i];
            if (u < acc) return i;
        }
        return lastPositive; // u within rounding of 1
    }

    private static void checkKnobs(double temperature, int topK) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Sampler: temperature must be a positive number, got " + temperature
                    + " (for near-greedy decoding use a small one like 0.1, or topK = 1)");
        }
        if (topK < 0) throw new IllegalArgumentException("Sampler: topK must be >= 0 (0 = all tokens), got " + topK);
    }
}
