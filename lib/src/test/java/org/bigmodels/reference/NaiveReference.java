package org.bigmodels.reference;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The forward value of every op and module of the engine, written a second time from the mathematics alone: plain
 * loops over Java {@code double} arrays, no ND4J, no autodiff, no cleverness. Tests compare the engine with it, so a
 * wrong constant, a missing scale or a wrong epsilon in the engine shows up even where gradient checks cannot see it
 * (a gradient check compares backward with a forward that is wrong in the same way).
 *
 * <p>Shapes: a matrix is {@code double[rows][cols]}; a sequence of vectors [T, C] is {@code double[T][C]}; a batch
 * of sequences [B, T, C] is {@code double[B][T][C]}. Weight layouts follow the engine's documented conventions
 * (Linear weight [in, out]; the attention's qkv output holds q, k, v one after the other, head h of each owning the
 * columns {@code h·d .. (h+1)·d}; pre-norm blocks; an untied output head with a bias).
 *
 * <p>Sources: GELU, tanh form: Hendrycks and Gimpel, "Gaussian Error Linear Units" (2016), sec. 2; layer norm: Ba,
 * Kiros and Hinton, "Layer Normalization" (2016), eq. 4 (biased variance, as in PyTorch); attention: Vaswani et al.,
 * "Attention Is All You Need" (2017), eq. 1; the GPT-2 block: Radford et al. (2019), sec. 2.3.
 */
public final class NaiveReference {
    private NaiveReference() {}

    /** sqrt(2/pi), the constant of GELU's tanh approximation. */
    public static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    // ------------------------------------------------------------------ elementwise

    /** max(x, 0). */
    public static double relu(double x) {
        return x > 0 ? x : 0.0;
    }

    /** GELU, GPT-2's tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static double gelu(double x) {
        return 0.5 * x * (1.0 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
    }

    /** The hyperbolic tangent. */
    public static double tanh(double x) {
        return Math.tanh(x);
    }

    /** 1 / (1 + e^-x), evaluated on the side where the exponential cannot overflow. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** f applied to every element of a matrix. */
    public static double[][] map(double[][] x, DoubleUnaryOperator f) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = f.applyAsDouble(x[i][j]);
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ affine map

    /** y[i][j] = b[j] + sum_k x[i][k] w[k][j]: x [n, in], w [in, out], b [out] or null; gives [n, out]. */
    public static double[][] linear(double[][] x, double[][] w, double[] b) {
        int in = w.length, out = w[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != in) {
                throw new IllegalArgumentException("linear: x row has " + x[i].length + " entries, w has " + in
                        + " rows");
            }
            for (int j = 0; j < out; j++) {
                double s = b == null ? 0.0 : b[j];
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * w[k][j];
                }
                y[i][j] = s;
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ softmax family and losses

    /** exp(z_i - m) / sum_j exp(z_j - m), m = max z (the shift changes nothing mathematically, avoids overflow). */
    public static double[] softmax(double[] z) {
        double m = max(z);
        double[] p = new double[z.length];
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - m);
            s += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= s;
        }
        return p;
    }

    /** log softmax(z)_i = z_i - m - log sum_j exp(z_j - m): finite however far z_i lies below the maximum. */
    public static double[] logSoftmax(double[] z) {
        double m = max(z);
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - m);
        }
        double logS = Math.log(s);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] - m - logS;
        }
        return out;
    }

    /** Row-wise softmax of a matrix. */
    public static double[][] softmaxRows(double[][] z) {
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) p[i] = softmax(z[i]);
        return p;
    }

    /** Row-wise log-softmax of a matrix. */
    public static double[][] logSoftmaxRows(double[][] z) {
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) p[i] = logSoftmax(z[i]);
        return p;
    }

    /** Mean over rows of -log softmax(logits[i])[targets[i]]: logits [N, C], targets [N] in [0, C); nats. */
    public static double crossEntropy(double[][] logits, int[] targets) {
        double s = 0;
        for (int i = 0; i < logits.length; i++) {
            s -= logSoftmax(logits[i])[targets[i]];
        }
        return s / logits.length;
    }

    /** Mean over all elements of (p - t)^2. */
    public static double mse(double[][] p, double[][] t) {
        double s = 0;
        long n = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[i].length; j++) {
                double d = p[i][j] - t[i][j];
                s += d * d;
                n++;
            }
        }
        return s / n;
    }

    // ------------------------------------------------------------------ normalisation and lookup

    /**
     * Layer norm of one vector: mu = mean x, var = mean (x - mu)^2 (biased), y = (x - mu) / sqrt(var + eps) * gamma
     * + beta. Two passes, so a large common offset does not cancel away the variance.
     */
    public static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps) {
        int n = x.length;
        double mu = 0;
        for (double v : x) mu += v;
        mu /= n;
        double var = 0;
        for (double v : x) var += (v - mu) * (v - mu);
        var /= n;
        double inv = 1.0 / Math.sqrt(var + eps);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = (x[i] - mu) * inv * gamma[i] + beta[i];
        }
        return y;
    }

    /** Layer norm of every row. */
    public static double[][] layerNormRows(double[][] x, double[] gamma, double[] beta, double eps) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) y[i] = layerNorm(x[i], gamma, beta, eps);
        return y;
    }

    /** Row ids[i] of the table [V, C], for each i: [n, C]. */
    public static double[][] embedding(double[][] table, int[] ids) {
        double[][] y = new double[ids.length][];
        for (int i = 0; i < ids.length; i++) y[i] = table[ids[i]].clone();
        return y;
    }

    // ------------------------------------------------------------------ attention

    /**
     * The causal attention weights of one head: w[i][j] = softmax over j <= i of q_i·k_j / sqrt(d), and 0 for j > i.
     * q, k [T, d]; gives [T, T].
     */
    public static double[][] causalAttentionWeights(double[][] q, double[][] k) {
        int t = q.length, d = q[0].length;
        double scale = 1.0 / Math.sqrt(d);
        double[][] w = new double[t][t];
        for (int i = 0; i < t; i++) {
            double[] visible = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                double dot = 0;
                for (int c = 0; c < d; c++) dot += q[i][c] * k[j][c];
                visible[j] = dot * scale;
            }
            double[] p = softmax(visible);
            System.arraycopy(p, 0, w[i], 0, i + 1); // the future (j > i) keeps weight 0
        }
        return w;
    }

    /** One causal attention head: out_i = sum_{j <= i} w[i][j] v_j. q, k, v [T, d]; gives [T, d]. */
    public static double[][] attentionHead(double[][] q, double[][] k, double[][] v) {
        double[][] w = causalAttentionWeights(q, k);
        int t = q.length, d = v[0].length;
        double[][] out = new double[t][d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                for (int c = 0; c < d; c++) out[i][c] += w[i][j] * v[j][c];
            }
        }
        return out;
    }

    /** Columns [from, from + n) of a matrix. */
    public static double[][] columns(double[][] x, int from, int n) {
        double[][] y = new double[x.length][n];
        for (int i = 0; i < x.length; i++) System.arraycopy(x[i], from, y[i], 0, n);
        return y;
    }

    /** The weights of a multi-head causal self-attention: qkv [C, 3C] + [3C], proj [C, C] + [C]. */
    public record AttentionWeights(double[][] qkvWeight, double[] qkvBias, double[][] projWeight, double[] projBias) {}

    /**
     * The attention weights [H][T][T] of each head for one sequence x [T, C]: q = columns [0, C) of x·Wqkv + b,
     * k = columns [C, 2C), head h using columns h·d .. (h+1)·d of each, d = C / H.
     */
    public static double[][][] headWeights(double[][] x, AttentionWeights w, int heads) {
        int c = x[0].length, d = c / heads;
        double[][] qkv = linear(x, w.qkvWeight(), w.qkvBias());
        double[][][] out = new double[heads][][];
        for (int h = 0; h < heads; h++) {
            out[h] = causalAttentionWeights(columns(qkv, h * d, d), columns(qkv, c + h * d, d));
        }
        return out;
    }

    /**
     * Multi-head causal self-attention of one sequence x [T, C]: each head attends with its own slice of q, k, v; the
     * head outputs are laid side by side (head h in columns h·d .. (h+1)·d) and projected: gives [T, C].
     */
    public static double[][] causalSelfAttention(double[][] x, AttentionWeights w, int heads) {
        int t = x.length, c = x[0].length, d = c / heads;
        double[][] qkv = linear(x, w.qkvWeight(), w.qkvBias());
        double[][] joined = new double[t][c];
        for (int h = 0; h < heads; h++) {
            double[][] o = attentionHead(columns(qkv, h * d, d), columns(qkv, c + h * d, d),
                    columns(qkv, 2 * c + h * d, d));
            for (int i = 0; i < t; i++) System.arraycopy(o[i], 0, joined[i], h * d, d);
        }
        return linear(joined, w.projWeight(), w.projBias());
    }

    // ------------------------------------------------------------------ transformer

    /** The weights of one pre-norm transformer block; the MLP is fc [C, 4C] then proj [4C, C]. */
    public record BlockWeights(double[] ln1Weight, double[] ln1Bias, AttentionWeights attn, double[] ln2Weight,
                               double[] ln2Bias, double[][] fcWeight, double[] fcBias, double[][] mlpProjWeight,
                               double[] mlpProjBias) {}

    /** One pre-norm block on x [T, C]: h = x + attn(ln1(x)); out = h + proj(gelu(fc(ln2(h)))). */
    public static double[][] block(double[][] x, BlockWeights w, int heads, double eps) {
        double[][] a = causalSelfAttention(layerNormRows(x, w.ln1Weight(), w.ln1Bias(), eps), w.attn(), heads);
        double[][] h = add(x, a);
        double[][] m = linear(map(linear(layerNormRows(h, w.ln2Weight(), w.ln2Bias(), eps), w.fcWeight(),
                w.fcBias()), NaiveReference::gelu), w.mlpProjWeight(), w.mlpProjBias());
        return add(h, m);
    }

    /** The weights of a GPT: token table [V, C], position table [blockSize, C], blocks, final norm, head [C, V]. */
    public record GptWeights(double[][] wte, double[][] wpe, List<BlockWeights> blocks, double[] lnFWeight,
                             double[] lnFBias, double[][] headWeight, double[] headBias) {}

    /** GPT logits [B][T][V] of ids [B][T]: x_t = wte[id_t] + wpe[t]; blocks; final layer norm; head. */
    public static double[][][] gptLogits(int[][] ids, GptWeights w, int heads, double eps) {
        double[][][] out = new double[ids.length][][];
        for (int b = 0; b < ids.length; b++) {
            int t = ids[b].length;
            int[] positions = new int[t];
            for (int i = 0; i < t; i++) positions[i] = i;
            double[][] x = add(embedding(w.wte(), ids[b]), embedding(w.wpe(), positions));
            for (BlockWeights bw : w.blocks()) x = block(x, bw, heads, eps);
            out[b] = linear(layerNormRows(x, w.lnFWeight(), w.lnFBias(), eps), w.headWeight(), w.headBias());
        }
        return out;
    }

    /** Mean next-token cross-entropy over all B·T positions, nats. */
    public static double gptLoss(int[][] ids, int[][] targets, GptWeights w, int heads, double eps) {
        double[][][] logits = gptLogits(ids, w, heads, eps);
        double s = 0;
        int n = 0;
        for (int b = 0; b < ids.length; b++) {
            s += crossEntropy(logits[b], targets[b]) * ids[b].length;
            n += ids[b].length;
        }
        return s / n;
    }

    /** MLP logits: x [N, in]; linear layers in order with f between them and none after the last. */
    public static double[][] mlpLogits(double[][] x, List<double[][]> weights, List<double[]> biases,
                                       DoubleUnaryOperator f) {
        double[][] h = x;
        for (int i = 0; i < weights.size(); i++) {
            h = linear(h, weights.get(i), biases.get(i));
            if (i + 1 < weights.size()) h = map(h, f);
        }
        return h;
    }

    // ------------------------------------------------------------------ small helpers

    /** Elementwise a + b of two matrices of one shape. */
    public static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            y[i] = new double[a[i].length];
            for (int j = 0; j < a[i].length; j++) y[i][j] = a[i][j] + b[i][j];
        }
        return y;
    }

    private static double max(double[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) m = Math.max(m, v);
        return m;
    }
}
