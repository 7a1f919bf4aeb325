package org.bigmodels.text;

import java.util.Arrays;
import java.util.Random;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training windows cut at random from one long encoded text. The first 90% of the tokens are for training, the last
 * 10% for validation (a contiguous tail, so no validation window overlaps a training one). A batch holds
 * {@code batchSize} windows of {@code blockSize} tokens as x, and the same windows shifted one token right as y:
 * at every position the model learns to predict the next token, so one window gives blockSize examples. Used in
 * 04-tiny-gpt.
 */
public final class TextBatches {
    /** Share of the tokens used for training; the rest is the validation tail. */
    public static final double TRAIN_FRACTION = 0.9;

    private final int[] train;
    private final int[] val;

    public TextBatches(int[] tokens) {
        this(tokens, TRAIN_FRACTION);
    }

    /** Splits {@code tokens} into a training head ({@code trainFraction} of them) and a validation tail. */
    public TextBatches(int[] tokens, double trainFraction) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("TextBatches: trainFraction must be in (0, 1), got " + trainFraction);
        }
        int cut = (int) (tokens.length * trainFraction);
        this.train = Arrays.copyOfRange(tokens, 0, cut);
        this.val = Arrays.copyOfRange(tokens, cut, tokens.length);
    }

    /** A batch from the training tokens. */
    public Batch batch(int batchSize, int blockSize, Random rng) {
        return windows(train, "training", batchSize, blockSize, rng);
    }

    /** A batch from the validation tokens. */
    public Batch valBatch(int batchSize, int blockSize, Random rng) {
        return windows(val, "validation", batchSize, blockSize, rng);
    }

    /** x [B, T] and y [B, T] (INT) with y[b][t] = tokens[start_b + t + 1] and x[b][t] = tokens[start_b + t]. */
    static Batch windows(int[] tokens, String which, int batchSize, int blockSize, Random rng) {
        if (batchSize <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("TextBatches: batchSize and blockSize must be positive, got "
                    + batchSize + " and " + blockSize);
        }
        if (tokens.length < blockSize + 1) {
            throw new IllegalArgumentException("TextBatches: the " + which + " part has " + tokens.length
                    + " tokens, too few for a window of " + blockSize + " plus the next token");
        }
        int[] x = new int[batchSize * blockSize];
        int[] y = new int[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(tokens.length - blockSize);
            System.arraycopy(tokens, start, x, b * blockSize, blockSize);
            System.arraycopy(tokens, start + 1, y, b * blockSize, blockSize);
        }
        return new Batch(Nd4j.createFromArray(x).reshape(batchSize, blockSize),
                Nd4j.createFromArray(y).reshape(batchSize, blockSize));
    }

    /** The number of tokens in the training head ({@code floor(trainFraction * tokens.length)}). */
    public int trainTokens() {
        return train.length;
    }

    /** The number of tokens in the validation tail. */
    public int valTokens() {
        return val.length;
    }

    /** A copy of the training tokens. */
    public int[] trainIds() {
        return train.clone();
    }

    /** A copy of the validation tokens. */
    public int[] valIds() {
        return val.clone();
    }
}
