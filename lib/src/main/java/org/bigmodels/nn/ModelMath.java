package org.bigmodels.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The arithmetic of large models, for a GPT of {@code nLayer} layers of width {@code nEmbd} (C), vocabulary
 * {@code vocabSize} (V) and context {@code blockSize} (T), in nanoGPT's names (the names of {@link GPTConfig}):
 * <ul>
 *   <li>parameters: per block 12C² + 13C (attention qkv C·3C + 3C and projection C² + C, MLP C·4C + 4C and
 *   4C·C + C, two layer norms 4C), plus embeddings (V + T)·C, the final layer norm 2C, and the output head C·V + V
 *   unless it is tied to the token embedding (GPT-2 and GPT-3 tie it and have no head bias);</li>
 *   <li>training compute: about 6N floating-point operations per token (2N for the forward pass, a multiply and
 *   an add per weight, and 4N for the backward pass, which computes gradients for both activations and weights;
 *   Kaplan et al. 2020, "Scaling Laws for Neural Language Models", section 2.1), plus 12·nLayer·T·C for
 *   attention's q·kᵀ and weights·v products at full context, which involve no parameters (2·T·C FLOPs per token
 *   and layer for each of the two products forward, three times that for a training step; Chowdhery et al. 2022,
 *   "PaLM", appendix B). {@link Flops} counts the same products exactly for a given batch;</li>
 *   <li>training memory: weights, their gradients and Adam's two moments, four numbers per parameter, before any
 *   activations: 4 numbers of 4 bytes, 16 bytes per parameter, in float32.</li>
 * </ul>
 * Computed in 04-tiny-gpt; the numbers that make data and model parallelism, ZeRO and compression necessary.
 */
public final class ModelMath {
    private ModelMath() {}

    /**
     * The size of a GPT, in the names and the order of {@link GPTConfig}. {@code tiedHead}: the output head reuses
     * the token embedding (no extra weights, no bias), as in GPT-2 and GPT-3; the course's {@link GPT} has an untied
     * head with a bias.
     */
    public record Size(String name, int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd,
                       boolean tiedHead) {
        /**
         * Checks the sizes.
         *
         * @throws IllegalArgumentException if a size is not positive or nEmbd is not a multiple of nHead
         */
        public Size {
            if (vocabSize <= 0 || blockSize <= 0 || nLayer <= 0 || nHead <= 0 || nEmbd <= 0 || nEmbd % nHead != 0) {
                throw new IllegalArgumentException("ModelMath.Size: expected positive sizes with nEmbd a multiple of "
                        + "nHead, got vocabSize " + vocabSize + ", blockSize " + blockSize + ", nLayer " + nLayer
                        + ", nHead " + nHead + ", nEmbd " + nEmbd);
            }
        }

        /** N, every parameter (embeddings included). */
        public long parameters() {
            return parameterCount(vocabSize, blockSize, nLayer, nEmbd, tiedHead);
        }

        /** Parameters outside the embeddings (Kaplan's N): the blocks, the final layer norm, an untied head. */
        public long nonEmbeddingParameters() {
            return parameters() - ((long) vocabSize + blockSize) * nEmbd;
        }

        /** ≈ 6N training FLOPs per token (N counting every parameter). */
        public double trainingFlopsPerToken() {
            return ModelMath.trainingFlopsPerToken(parameters());
        }

        /** 6N + 12·nLayer·blockSize·nEmbd: with attention's parameter-free products at full context. */
        public double trainingFlopsPerTokenWithAttention() {
            return ModelMath.trainingFlopsPerToken(parameters(), nLayer, blockSize, nEmbd);
        }
    }

    /** The size of the course's {@link GPT} for a configuration (untied head with a bias), named {@code name}. */
    public static Size of(String name, GPTConfig config) {
        return new Size(name, config.vocabSize(), config.blockSize(), config.nLayer(), config.nHead(), config.nEmbd(),
                false);
    }

    /** {@link #of(String, GPTConfig)} named after the configuration's sizes, e.g. "GPT nLayer=2 nEmbd=64". */
    public static Size of(GPTConfig config) {
        return of("GPT nLayer=" + config.nLayer() + " nHead=" + config.nHead() + " nEmbd=" + config.nEmbd(), config);
    }

    /** The size of a built model: {@code of(model.config())}. */
    public static Size of(GPT model) {
        return of(model.config());
    }

    /** GPT-2 small, medium, large, XL (Radford et al. 2019): 124M, 350M, 774M, 1.5B parameters. */
    public static final Size GPT2_SMALL = new Size("GPT-2 small", 50257, 1024, 12, 12, 768, true);
    public static final Size GPT2_MEDIUM = new Size("GPT-2 medium", 50257, 1024, 24, 16, 1024, true);
    public static final Size GPT2_LARGE = new Size("GPT-2 large", 50257, 1024, 36, 20, 1280, true);
    public static final Size GPT2_XL = new Size("GPT-2 XL", 50257, 1024, 48, 25, 1600, true);
    /** GPT-3 175B (Brown et al. 2020, table 2.1): 96 layers of width 12288, 96 heads, context 2048. */
    public static final Size GPT3 = new Size("GPT-3 175B", 50257, 2048, 96, 96, 12288, true);

    /** The GPT-2 sizes and GPT-3, smallest first. */
    public static List<Size> presets() {
        return List.of(GPT2_SMALL, GPT2_MEDIUM, GPT2_LARGE, GPT2_XL, GPT3);
    }

    /** Parameters of the course's {@link GPT} for a configuration (untied head with a bias). */
    public static long parameterCount(GPTConfig config) {
        return of(config).parameters();
    }

    /**
     * The parameter count of the formula above, in {@link GPTConfig}'s order.
     *
     * @param tiedHead true when the head reuses the token embedding (then it adds no weights and no bias)
     */
    public static long parameterCount(int vocabSize, int blockSize, int nLayer, int nEmbd, boolean tiedHead) {
        long c = nEmbd;
        long perBlock = 12 * c * c + 13 * c;
        long embeddings = ((long) vocabSize + blockSize) * c;
        long head = tiedHead ? 0 : c * vocabSize + vocabSize;
        return nLayer * perBlock + embeddings + 2 * c + head;
    }

    /** 6N: forward 2N, backward 4N floating-point operations per token. */
    public static double trainingFlopsPerToken(long parameters) {
        return 6.0 * parameters;
    }

    /** 6N + 12·nLayer·blockSize·nEmbd: with attention's parameter-free products (q·kᵀ, weights·v) at context T. */
    public static double trainingFlopsPerToken(long parameters, int nLayer, int blockSize, int nEmbd) {
        return 6.0 * parameters + 12.0 * nLayer * (double) blockSize * nEmbd;
    }

    /** Bytes held during training with Adam, by part, before activations. */
    public record Memory(long weights, long gradients, long adamM, long adamV) {
        /** The sum of the four parts, bytes. */
        public long total() {
            return weights + gradients + adamM + adamV;
        }
    }

    /** Weights, gradients and Adam's m and v, all stored in {@code type}: 4 · N · bytes(type). */
    public static Memory adamTrainingMemory(long parameters, DataType type) {
        long bytes = parameters * type.width();
        return new Memory(bytes, bytes, bytes, bytes);
    }

    /** Bytes of one copy of the weights in {@code type}. */
    public static long weightBytes(long parameters, DataType type) {
        return parameters * type.width();
    }

    /**
     * Mixed-precision Adam as in the ZeRO paper (Rajbhandari et al. 2020, section 3.1): 16-bit weights and
     * gradients (2 + 2 bytes) plus float32 master weights, m and v (12 bytes), 16 bytes per parameter.
     */
    public static long mixedPrecisionAdamBytes(long parameters) {
        return 16L * parameters;
    }

    /** Gibibytes (2^30 bytes). */
    public static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    /**
     * One row per size: the sizes in nanoGPT's names, parameters, training FLOPs per token (6N and with attention),
     * float32 weight and Adam memory.
     */
    public static Table table(List<Size> sizes) {
        Table t = Table.create("the arithmetic of large models",
                StringColumn.create("model"), IntColumn.create("nLayer"), IntColumn.create("nHead"),
                IntColumn.create("nEmbd"), IntColumn.create("blockSize"), IntColumn.create("vocabSize"),
                LongColumn.create("parameters"),
                DoubleColumn.create("train GFLOP/token (6N)"), DoubleColumn.create("train GFLOP/token (+attn)"),
                DoubleColumn.create("weights fp32 (GiB)"), DoubleColumn.create("weights+grads+Adam fp32 (GiB)"));
        for (Size s : sizes) {
            long n = s.parameters();
            t.stringColumn(0).append(s.name());
            t.intColumn(1).append(s.nLayer());
            t.intColumn(2).append(s.nHead());
            t.intColumn(3).append(s.nEmbd());
            t.intColumn(4).append(s.blockSize());
            t.intColumn(5).append(s.vocabSize());
            t.longColumn(6).append(n);
            t.doubleColumn(7).append(s.trainingFlopsPerToken() / 1e9);
            t.doubleColumn(8).append(s.trainingFlopsPerTokenWithAttention() / 1e9);
            t.doubleColumn(9).append(gib(weightBytes(n, DataType.FLOAT)));
            t.doubleColumn(10).append(gib(adamTrainingMemory(n, DataType.FLOAT).total()));
        }
        return t;
    }
}
