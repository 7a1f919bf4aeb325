package org.bigmodels.nn;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The size of a {@link GPT}, in nanoGPT's names: {@code vocabSize} (V), the context length {@code blockSize} (T),
 * {@code nLayer} blocks, {@code nHead} attention heads, the width {@code nEmbd} (C, a multiple of nHead), plus the
 * dropout rate, the float type and the seed of the initial weights. Immutable; {@code with...} methods return changed
 * copies. {@link ModelMath#of(GPTConfig)} gives its parameter count, FLOPs and memory.
 */
public record GPTConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, double dropout,
                        DataType dataType, long seed) {
    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException if a size is not positive, nEmbd is not a multiple of nHead, or dropout is
     *                                  outside [0, 1)
     */
    public GPTConfig {
        if (vocabSize <= 0 || blockSize <= 0 || nLayer <= 0 || nHead <= 0 || nEmbd <= 0) {
            throw new IllegalArgumentException("GPTConfig: all sizes must be positive, got " + this);
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPTConfig: nEmbd " + nEmbd + " must be a multiple of nHead " + nHead);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("GPTConfig: dropout must be in [0, 1), got " + dropout);
        }
    }

    /** A character model for a vocabulary, 4 layers of width 128 with 4 heads, context 64: the 04-tiny-gpt default. */
    public static GPTConfig tiny(int vocabSize) {
        return new GPTConfig(vocabSize, 64, 4, 4, 128, 0.0, DataType.FLOAT, 1337);
    }

    /** A copy with {@code nLayer} blocks. */
    public GPTConfig withNLayer(int nLayer) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, dataType, seed);
    }

    /** A copy of width {@code nEmbd} with {@code nHead} heads (set together: nEmbd must be a multiple of nHead). */
    public GPTConfig withNEmbd(int nEmbd, int nHead) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, dataType, seed);
    }

    /** A copy with context length {@code blockSize}. */
    public GPTConfig withBlockSize(int blockSize) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, dataType, seed);
    }

    /**
     * A copy with dropout rate {@code dropout} (the probability of zeroing an activation in training).
     *
     * @throws IllegalArgumentException if dropout is outside [0, 1)
     */
    public GPTConfig withDropout(double dropout) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, dataType, seed);
    }

    /** A copy whose parameters are stored in {@code dataType} (e.g. FLOAT, DOUBLE). */
    public GPTConfig withDataType(DataType dataType) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, dataType, seed);
    }

    /** A copy whose initial weights come from {@code seed}. */
    public GPTConfig withSeed(long seed) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, dataType, seed);
    }
}
