package org.bigmodels.exercises.lesson04;

import java.util.Random;

/**
 * Exercise 04.1 (lesson 04-tiny-gpt): the bigram baseline, a model that predicts the next character from the current
 * one by counting.
 *
 * <p>Count how often each token b follows each token a in the training text, {@code N[a][b]}; add k to every count
 * (add-k, or Lidstone, smoothing: a pair never seen still gets a small probability) and normalise each row:
 * {@code P(b | a) = (N[a][b] + k) / (sum_c N[a][c] + k·V)}. Its loss on a held-out text is the mean negative
 * log-likelihood of each next token, {@code -(1/(n-1)) sum_i ln P(t[i+1] | t[i])}, in nats per character, the number
 * a GPT's loss is compared with: a model that knows nothing (every token equally likely) scores {@code ln V}. Jurafsky
 * and Martin, "Speech and Language Processing", chapter 3 (n-gram language models, smoothing).
 *
 * <p>Given: the fields, the token check and the accessors. Yours: the constructor's checks and counting,
 * {@link #probability}, {@link #meanNll} and {@link #sample}. Replace each {@code throw} below with your code, then
 * run {@code ./course grade 04}.
 */
public final class Bigram {

    private final int vocabSize;
    private final double k;
    /** counts[a][b]: how often b follows a in the training tokens. */
    private final long[][] counts;
    /** rowTotals[a]: how often a is followed by anything. */
    private final long[] rowTotals;

    /**
     * Counts the bigrams of {@code tokens}.
     *
     * @param tokens    the training sequence, each in {@code [0, vocabSize)}; fewer than 2 tokens give no pairs (the
     *                  uniform model)
     * @param vocabSize V, {@code >= 1}
     * @param k         the smoothing constant added to every count, {@code > 0}
     * @throws IllegalArgumentException if vocabSize < 1, k is not positive and finite, or a token is outside the
     *                                  vocabulary (naming its position and value)
     */
    public Bigram(int[] tokens, int vocabSize, double k) {
        this.vocabSize = vocabSize;
        this.k = k;
        this.counts = new long[Math.max(vocabSize, 0)][Math.max(vocabSize, 0)];
        this.rowTotals = new long[Math.max(vocabSize, 0)];
        throw new UnsupportedOperationException("not implemented yet: Bigram(tokens, vocabSize, k) -- refuse"
                + " vocabSize < 1 and k that is not > 0 (NaN too), check the tokens with checkTokens, then count each"
                + " consecutive pair (tokens[i], tokens[i+1]) in counts and rowTotals. Pitfall: a sequence of n tokens"
                + " has n - 1 pairs; the last token is followed by nothing");
    }

    private void checkTokens(int[] tokens, String what) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("Bigram: " + what + " token at position " + i + " is " + tokens[i]
                        + ", outside the vocabulary 0.." + (vocabSize - 1));
            }
        }
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** How often {@code next} follows {@code prev} in the training tokens. */
    public long count(int prev, int next) {
        return counts[prev][next];
    }

    /** {@code P(next | prev) = (N[prev][next] + k) / (N[prev] + k·V)}; each row sums to 1. */
    public double probability(int prev, int next) {
        throw new UnsupportedOperationException("not implemented yet: Bigram.probability -- add k to the pair's count"
                + " and k once per vocabulary entry to the row's total. Pitfall: normalising by the whole text's"
                + " length instead of the row's total gives a joint, not a conditional, probability");
    }

    /**
     * The mean negative log-likelihood of {@code tokens}, in nats per predicted token.
     *
     * @param tokens a held-out sequence of at least 2 tokens, each in the vocabulary
     * @return {@code -(1/(n-1)) sum_{i<n-1} ln P(tokens[i+1] | tokens[i])}
     * @throws IllegalArgumentException if there are fewer than 2 tokens or a token is outside the vocabulary
     */
    public double meanNll(int[] tokens) {
        throw new UnsupportedOperationException("not implemented yet: Bigram.meanNll -- sum -ln P(next | prev) over"
                + " the n - 1 consecutive pairs and divide by n - 1. Pitfalls: log base 2 gives bits, not nats;"
                + " dividing by n instead of n - 1");
    }

    /**
     * Draws the next token after {@code prev} from {@code P(. | prev)} (inverse transform sampling: the first token
     * whose cumulative probability exceeds a uniform draw).
     */
    public int sample(int prev, Random rng) {
        throw new UnsupportedOperationException("not implemented yet: Bigram.sample -- draw u uniform in [0, 1) from"
                + " rng, walk the row adding probabilities and return the first token where the running sum passes u;"
                + " if rounding leaves the sum a hair below 1, return the last token");
    }
}
