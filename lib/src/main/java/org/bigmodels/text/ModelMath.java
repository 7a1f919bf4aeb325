package org.bigmodels.text;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The arithmetic of large models, for a GPT of L layers, width C, vocabulary V and context T:
 * <ul>
 *   <li>parameters: per block 12C² + 13C (attention qkv C·3C + 3C and projection C² + C, MLP C·4C + 4C and
 *   4C·C + C, two layer norms 4C), plus embeddings (V + T)·C, the final layer norm 2C, and the output head C·V + V
 *   unless it is tied to the token embedding (GPT-2 and GPT-3 tie it and have no head bias);</li>
 *   <li>training compute: about 6N floating-point operations per token (2N for the forward pass, a multiply and
 *   an add per weight, and 4N for the backward pass, which computes gradients for both activations and weights),
 *   plus 6·L·T·C for attention's q·k and weights·v products, which do not involve parameters (Kaplan et al. 2020,
 *   "Scaling Laws", table 1);</li>
 *   <li>training memory: weights, their gradients and Adam's two moments, four numbers per parameter, before any
 *   activations: 16 bytes per parameter in float32.</li>
 * </ul>
 * Computed in 04-tiny-gpt; the numbers that make data and model parallelism (08, 09), ZeRO (10) and compression
 * (11-13) necessary.
 */
public final class ModelMath {
    private ModelMath() {}

    /** The size of a GPT. {@code tiedHead}: the output head reuses the token embedding (no extra weights, no bias). */
    public record Size(String name, int layers, int width, int heads, int vocab, int context, boolean tiedHead) {
        public Size {
            if (layers <= 0 || width <= 0 || heads <= 0 || vocab <= 0 || context <= 0 || width % heads != 0) {
                throw new IllegalArgumentException("ModelMath.Size: positive sizes with width divisible by heads, got "
                        + layers + " layers, width " + width + ", " + heads + " heads, vocab " + vocab
                        + ", context " + context);
            }
        }

        public long parameters() {
            return parameterCount(layers, width, vocab, context, tiedHead);
        }

        /** Parameters outside the embeddings (Kaplan's N): the blocks, the final layer norm, an untied head. */
        public long nonEmbeddingParameters() {
            return parameters() - (long) (vocab + context) * width;
        }

        /** ≈ 6N (training, per token, N counting every parameter). */
        public double trainingFlopsPerToken() {
            return ModelMath.trainingFlopsPerToken(parameters());
        }

        /** 6N plus the attention term 6·L·T·C at full context. */
        public double trainingFlopsPerTokenWithAttention() {
            return ModelMath.trainingFlopsPerToken(parameters(), layers, context, width);
        }
    }

    /** GPT-2 small, medium, large, XL (Radford et al. 2019): 124M, 350M, 774M, 1.5B parameters. */
    public static final Size GPT2_SMALL = new Size("GPT-2 small", 12, 768, 12, 50257, 1024, true);
    public static final Size GPT2_MEDIUM = new Size("GPT-2 medium", 24, 1024, 16, 50257, 1024, true);
    public static final Size GPT2_LARGE = new Size("GPT-2 large", 36, 1280, 20, 50257, 1024, true);
    public static final Size GPT2_XL = new Size("GPT-2 XL", 48, 1600, 25, 50257, 1024, true);
    /** GPT-3 175B (Brown et al. 2020): 96 layers of width 12288, 96 heads, context 2048. */
    public static final Size GPT3 = new Size("GPT-3 175B", 96, 12288, 96, 50257, 2048, true);

    /** The GPT-2 sizes and GPT-3, smallest first. */
    public static List<Size> presets() {
        return List.of(GPT2_SMALL, GPT2_MEDIUM, GPT2_LARGE, GPT2_XL, GPT3);
    }

    /** Parameters of the course's {@link org.bigmodels.nn.GPT} (untied head with a bias). */
    public static long parameterCount(int layers, int width, int vocab, int context) {
        return parameterCount(layers, width, vocab, context, false);
    }

    public static long parameterCount(int layers, int width, int vocab, int context, boolean tiedHead) {
        long c = width;
        long perBlock = 12 * c * c + 13 * c;
        long embeddings = ((long) vocab + context) * c;
        long head = tiedHead ? 0 : c * vocab + vocab;
        return layers * perBlock + embeddings + 2 * c + head;
    }

    /** 6N: forward 2N, backward 4N floating-point operations per token. */
    public static double trainingFlopsPerToken(long parameters) {
        return 6.0 * parameters;
    }

    /** 6N + 6·L·T·C: with attention's parameter-free products at context T. */
    public static double trainingFlopsPerToken(long parameters, int layers, int context, int width) {
        return 6.0 * parameters + 6.0 * layers * (double) context * width;
    }

    /** Bytes held during training with Adam, by part, before activations. */
    public record Memory(long weights, long gradients, long adamM, long adamV) {
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
     * Mixed-precision Adam as in the ZeRO paper: 16-bit weights and gradients (2 + 2 bytes) plus float32 master
     * weights, m and v (12 bytes), 16 bytes per parameter.
     */
    public static long mixedPrecisionAdamBytes(long parameters) {
        return 16L * parameters;
    }

    /** Gibibytes (2^30 bytes). */
    public static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    /** One row per size: parameters, training FLOPs per token (6N and with attention), float32 Adam memory. */
    public static Table table(List<Size> sizes) {
        Table t = Table.create("the arithmetic of large models",
                StringColumn.create("model"), IntColumn.create("layers"), IntColumn.create("width"),
                IntColumn.create("heads"), IntColumn.create("context"), LongColumn.create("parameters"),
                DoubleColumn.create("train GFLOP/token (6N)"), DoubleColumn.create("train GFLOP/token (+attn)"),
                DoubleColumn.create("weights fp32 (GiB)"), DoubleColumn.create("weights+grads+Adam fp32 (GiB)"));
        for (Size s : sizes) {
            long n = s.parameters();
            t.stringColumn(0).append(s.name());
            t.intColumn(1).append(s.layers());
            t.intColumn(2).append(s.width());
            t.intColumn(3).append(s.heads());
            t.intColumn(4).append(s.context());
            t.longColumn(5).append(n);
            t.doubleColumn(6).append(s.trainingFlopsPerToken() / 1e9);
            t.doubleColumn(7).append(s.trainingFlopsPerTokenWithAttention() / 1e9);
            t.doubleColumn(8).append(gib(weightBytes(n, DataType.FLOAT)));
            t.doubleColumn(9).append(gib(adamTrainingMemory(n, DataType.FLOAT).total()));
        }
        return t;
    }
}
