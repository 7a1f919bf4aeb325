package org.bigmodels.exercises.lesson04;

import java.util.Random;

/**
 * Exercise 04.1 (lesson 04-tiny-gpt): the bigram baseline, a model that predicts the next character from the current
 * one by counting. Reference solution.
 *
 * <p>Count how often each token b follows each token a in the training text, {@code N[a][b]}; add k to every count
 * (add-k, or Lidstone, smoothing: a pair never seen still gets a small probability) and normalise each row:
 * {@code P(b | a) = (N[a][b] + k) / (sum_c N[a][c] + k·V)}. Its loss on a held-out text is the mean negative
 * log-likelihood of each next token, {@code -(1/(n-1)) sum_i ln P(t[i+1] | t[i])}, in nats per character, the number
 * a GPT's loss is compared with: a model that knows nothing (every token equally likely) scores {@code ln V}. Jurafsky
 * and Martin, "Speech and Language Processing", chapter 3 (n-gram language models, smoothing).
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
        if (vocabSize < 1) {
            throw new IllegalArgumentException("Bigram: vocabSize must be >= 1, got " + vocabSize);
        }
        if (!(k > 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("Bigram: k must be positive and finite, got " + k + "; with k = 0 a pair"
                    + " never seen in training has probability 0 and a held-out loss of infinity. Try k = 1 or 0.1");
        }
        this.vocabSize = vocabSize;
        this.k = k;
        this.counts = new long[vocabSize][vocabSize];
        this.rowTotals = new long[vocabSize];
        checkTokens(tokens, "training");
        for (int i = 0; i + 1 < tokens.length; i++) {
            counts[tokens[i]][tokens[i + 1]]++;
            rowTotals[tokens[i]]++;
        }
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
        return (counts[prev][next] + k) / (rowTotals[prev] + k * vocabSize);
    }

    /**
     * The mean negative log-likelihood of {@code tokens}, in nats per predicted token.
     *
     * @param tokens a held-out sequence of at least 2 tokens, each in the vocabulary
     * @return {@code -(1/(n-1)) sum_{i<n-1} ln P(tokens[i+1] | tokens[i])}
     * @throws IllegalArgumentException if there are fewer than 2 tokens or a token is outside the vocabulary
     */
    public double meanNll(int[] tokens) {
        if (tokens.length < 2) {
            throw new IllegalArgumentException("Bigram.meanNll: need at least 2 tokens (one prediction), got "
                    + tokens.length);
        }
        checkTokens(tokens, "held-out");
        double sum = 0;
        for (int i = 0; i + 1 < tokens.length; i++) {
            sum -= Math.log(probability(tokens[i], tokens[i + 1]));
        }
        return sum / (tokens.length - 1);
    }

    /**
     * Draws the next token after {@code prev} from {@code P(. | prev)} (inverse transform sampling: the first token
     * whose cumulative probability exceeds a uniform draw).
     */
    public int sample(int prev, Random rng) {
        double u = rng.nextDouble();
        double cumulative = 0;
        for (int b = 0; b < vocabSize; b++) {
            cumulative += probability(prev, b);
            if (u < cumulative) {
                return b;
            }
        }
        return vocabSize - 1; // rounding: the cumulative sum may end a hair below 1
    }
}
