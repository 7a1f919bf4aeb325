package org.bigmodels.reference;

import static org.bigmodels.reference.ReferenceWeights.batch;
import static org.bigmodels.reference.ReferenceWeights.flat;
import static org.bigmodels.reference.ReferenceWeights.gaussian;
import static org.bigmodels.reference.ReferenceWeights.matrix;
import static org.bigmodels.reference.ReferenceWeights.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.CausalSelfAttention;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.LayerNorm;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.bigmodels.reference.NaiveReference.AttentionWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine's forward values against {@link NaiveReference}, op by op and module by module, in double (relative
 * tolerance 1e-12: only the summation order differs) and in float (1e-5: the engine rounds every intermediate to
 * float32, about 6e-8 relative each, through a few hundred operations; the reference runs in double on the very same
 * float inputs). Tolerances are relative to the largest magnitude of the reference tensor. Inputs are Gaussian from a
 * fixed seed, with large-magnitude entries where an op could overflow, underflow or cancel.
 */
class ForwardReferenceTest {
    /** The default epsilon of org.bigmodels.nn.LayerNorm (PyTorch's default too). */
    static final double LN_EPS = 1e-5;

    static double rtol(DataType type) {
        return type == DataType.DOUBLE ? 1e-12 : 1e-5;
    }

    /** Fails unless max |actual - expected| <= rtol * max |expected| (NaN fails). */
    static void assertClose(String what, double[] expected, INDArray actual, double rtol) {
        double[] a = flat(actual);
        assertTrue(a.length == expected.length, what + ": expected " + expected.length + " values, got " + a.length);
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        double tol = rtol * Math.max(scale, Double.MIN_NORMAL);
        int worst = -1;
        double err = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - expected[i]);
            if (!(d <= err) || Double.isNaN(d)) {
                err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        if (!(err <= tol)) {
            throw new AssertionError(what + ": max |engine - reference| = " + err + " at flat index " + worst
                    + " (engine " + a[worst] + ", reference " + expected[worst] + "), allowed " + tol + " = " + rtol
                    + " x max |reference|");
        }
    }

    static void assertClose(String what, double expected, double actual, double rtol) {
        assertClose(what, new double[] {expected}, Nd4j.scalar(actual), rtol);
    }

    /** Gaussian entries of scale 3, plus large-magnitude ones where exp, tanh and x^3 saturate or overflow. */
    static INDArray elementwiseInput(DataType type) {
        Random rng = new Random(11);
        INDArray x = gaussian(rng, DataType.DOUBLE, 3.0, 6, 10);
        double big = type == DataType.DOUBLE ? 800 : 80; // exp(800) overflows a double, exp(89) a float
        double[] large = {-big, -50, -20, -9, -0.0, 1e-8, 9, 20, 50, big};
        for (int j = 0; j < 10; j++) x.putScalar(0, j, large[j]);
        return x.castTo(type);
    }

    private static void checkElementwise(String name, DataType type, UnaryOperator<Tensor> engine,
                                         DoubleUnaryOperator reference) {
        INDArray x = elementwiseInput(type);
        INDArray y = engine.apply(Tensor.of(x)).value();
        assertClose(name + " (" + type + ")", flat(NaiveReference.map(matrix(x), reference)), y, rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void relu(DataType type) {
        checkElementwise("relu", type, Ops::relu, NaiveReference::relu);
        checkElementwise("Activation.RELU", type, Activation.RELU::forward, NaiveReference::relu);
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void gelu(DataType type) {
        checkElementwise("gelu", type, Ops::gelu, NaiveReference::gelu);
        checkElementwise("Activation.GELU", type, Activation.GELU::forward, NaiveReference::gelu);
    }

    @Test
    void geluAtKnownPoints() {
        // closed-form spot values: gelu(0) = 0, gelu(x) -> x for large x, -> 0 for very negative x,
        // and gelu(1) = 0.5 (1 + tanh(sqrt(2/pi) 1.044715)) = 0.841191990...
        INDArray x = Nd4j.createFromArray(0.0, 1.0, 30.0, -30.0);
        INDArray y = Ops.gelu(Tensor.of(x)).value();
        assertClose("gelu at 0, 1, 30, -30", new double[] {0.0, 0.8411919906082768, 30.0, 0.0}, y, 1e-12);
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void tanh(DataType type) {
        checkElementwise("tanh", type, Ops::tanh, NaiveReference::tanh);
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void sigmoid(DataType type) {
        checkElementwise("sigmoid", type, Ops::sigmoid, NaiveReference::sigmoid);
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void linear(DataType type) {
        Random rng = new Random(12);
        INDArray w = gaussian(rng, type, 1.0, 7, 5);
        INDArray b = gaussian(rng, type, 1.0, 5);
        INDArray x2 = gaussian(rng, type, 1.0, 4, 7);
        assertClose("linear [4,7]x[7,5] (" + type + ")",
                flat(NaiveReference.linear(matrix(x2), matrix(w), vector(b))),
                Ops.linear(Tensor.of(x2), Tensor.of(w), Tensor.of(b)).value(), rtol(type));
        // [B, T, in] applies the same map to every row
        INDArray x3 = gaussian(rng, type, 1.0, 2, 3, 7);
        double[][][] xs = batch(x3);
        List<double[][]> rows = new ArrayList<>();
        for (double[][] seq : xs) rows.add(NaiveReference.linear(seq, matrix(w), vector(b)));
        assertClose("linear [2,3,7]x[7,5] (" + type + ")", flat(rows.toArray(new double[0][][])),
                Ops.linear(Tensor.of(x3), Tensor.of(w), Tensor.of(b)).value(), rtol(type));
        // the Linear module: weight [in, out], y = x W + b
        Linear layer = new Linear(7, 5, type, new Random(1));
        layer.weight().value().assign(w);
        layer.bias().value().assign(b);
        assertClose("Linear module (" + type + ")", flat(NaiveReference.linear(matrix(x2), matrix(w), vector(b))),
                layer.forward(Tensor.of(x2)).value(), rtol(type));
    }

    /**
     * Logits [6, 9]: Gaussian rows, a row spread by 5 (entries tens apart), a row offset by 1000 (exp overflows
     * without the max shift), and a row with entries far below its maximum (-120, -200: exp underflows to 0 in float;
     * in double -800 does) where log-softmax must stay finite, softmax may flush to 0.
     */
    static INDArray logitsInput(DataType type) {
        Random rng = new Random(13);
        INDArray z = gaussian(rng, DataType.DOUBLE, 2.0, 6, 9);
        z.getRow(3).muli(5);
        z.getRow(4).addi(1000);
        double farBelow = type == DataType.DOUBLE ? -800 : -200;
        z.getRow(5).assign(Nd4j.createFromArray(0.0, -120.0, -3.0, 1.0, -60.0, 2.0, -0.5, farBelow, 0.25));
        return z.castTo(type);
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void softmax(DataType type) {
        INDArray z = logitsInput(type);
        assertClose("softmax (" + type + ")", flat(NaiveReference.softmaxRows(matrix(z))),
                Ops.softmax(Tensor.of(z)).value(), rtol(type));
    }

    /** Rows 0-4 of {@link #logitsInput}: every entry within about 60 of its row's maximum. */
    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void logSoftmax(DataType type) {
        INDArray z = logitsInput(type).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5)).dup();
        assertClose("logSoftmax (" + type + ")", flat(NaiveReference.logSoftmaxRows(matrix(z))),
                Ops.logSoftmax(Tensor.of(z)).value(), rtol(type));
    }

    /**
     * Issue 6, section 1.5: entries far below their row's maximum ([0, -120] in float, -800 in double) must give
     * finite log-probabilities (x - max - log sum exp(x - max)), not -infinity.
     */
    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void logSoftmaxFarBelowTheRowMaximum(DataType type) {
        INDArray z = logitsInput(type).getRow(5).reshape(1, 9).dup();
        assertClose("logSoftmax of " + z + " (" + type + ")", flat(NaiveReference.logSoftmaxRows(matrix(z))),
                Ops.logSoftmax(Tensor.of(z)).value(), rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void crossEntropy(DataType type) {
        INDArray z = logitsInput(type);
        int[] targets = {0, 8, 3, 5, 2, 1}; // row 5's target sits 120 below its maximum
        double expected = NaiveReference.crossEntropy(matrix(z), targets);
        double actual = Ops.crossEntropy(Tensor.of(z), Nd4j.createFromArray(targets)).item();
        assertClose("crossEntropy [6,9] (" + type + ")", expected, actual, rtol(type));
        // [B, T, V] logits with [B, T] targets: the mean over all B*T positions
        INDArray z3 = z.reshape(2, 3, 9);
        INDArray t2 = Nd4j.createFromArray(new int[][] {{0, 8, 3}, {5, 2, 1}});
        assertClose("crossEntropy [2,3,9] (" + type + ")", expected,
                Ops.crossEntropy(Tensor.of(z3), t2).item(), rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void mse(DataType type) {
        Random rng = new Random(14);
        INDArray p = gaussian(rng, type, 2.0, 4, 6);
        INDArray t = gaussian(rng, type, 2.0, 4, 6);
        assertClose("mse (" + type + ")", NaiveReference.mse(matrix(p), matrix(t)),
                Ops.mse(Tensor.of(p), Tensor.of(t)).item(), rtol(type));
    }

    /**
     * Rows [4, 16]: Gaussian; nearly constant (variance about 1e-6, where eps dominates); spread by 30; and in double
     * a row offset by 1e4 (a one-pass E[x^2] - E[x]^2 variance would cancel there).
     */
    static INDArray layerNormInput(DataType type) {
        Random rng = new Random(15);
        INDArray x = gaussian(rng, DataType.DOUBLE, 1.0, 4, 16);
        x.getRow(1).muli(1e-3).addi(0.5);
        x.getRow(2).muli(30);
        if (type == DataType.DOUBLE) x.getRow(3).addi(1e4);
        return x.castTo(type);
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void layerNormOp(DataType type) {
        Random rng = new Random(16);
        INDArray x = layerNormInput(type);
        INDArray g = gaussian(rng, type, 1.0, 16);
        INDArray b = gaussian(rng, type, 1.0, 16);
        for (double eps : new double[] {LN_EPS, 1e-3}) {
            assertClose("layerNorm eps " + eps + " (" + type + ")",
                    flat(NaiveReference.layerNormRows(matrix(x), vector(g), vector(b), eps)),
                    Ops.layerNorm(Tensor.of(x), Tensor.of(g), Tensor.of(b), eps).value(), rtol(type));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void layerNormModule(DataType type) {
        Random rng = new Random(17);
        LayerNorm ln = new LayerNorm(16, type);
        ReferenceWeights.randomize(ln, rng, 1.0);
        INDArray x = layerNormInput(type);
        assertClose("LayerNorm module, eps " + LN_EPS + " (" + type + ")",
                flat(NaiveReference.layerNormRows(matrix(x), vector(ln.parameter("weight").value()),
                        vector(ln.parameter("bias").value()), LN_EPS)),
                ln.forward(Tensor.of(x)).value(), rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void embedding(DataType type) {
        Embedding e = new Embedding(10, 6, type, new Random(18));
        int[][] ids = {{3, 0, 9, 3}, {7, 7, 1, 2}};
        INDArray y = e.forward(Nd4j.createFromArray(ids)).value();
        assertArrayEquals(new long[] {2, 4, 6}, y.shape());
        double[][] table = matrix(e.weight().value());
        List<double[][]> rows = new ArrayList<>();
        for (int[] seq : ids) rows.add(NaiveReference.embedding(table, seq));
        assertClose("embedding (" + type + ")", flat(rows.toArray(new double[0][][])), y, 0.0); // exact copy
    }

    /**
     * One head: attention with a single head and an identity output projection is exactly one head's
     * softmax(mask(q k^T / sqrt(d))) v; the module's recorded attention weights are checked too.
     */
    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void oneAttentionHead(DataType type) {
        int c = 8, t = 6;
        CausalSelfAttention attn = new CausalSelfAttention(c, 1, 0.0, type, new Random(19));
        ReferenceWeights.randomize(attn, new Random(20), 0.7);
        attn.parameter("proj.weight").value().assign(Nd4j.eye(c).castTo(type));
        attn.parameter("proj.bias").value().assign(0);
        attn.train(false);
        INDArray x = gaussian(new Random(21), type, 1.0, 1, t, c);
        INDArray y = attn.forward(Tensor.of(x)).value();

        double[][] qkv = NaiveReference.linear(batch(x)[0], matrix(attn.parameter("qkv.weight").value()),
                vector(attn.parameter("qkv.bias").value()));
        double[][] q = NaiveReference.columns(qkv, 0, c), k = NaiveReference.columns(qkv, c, c);
        double[][] v = NaiveReference.columns(qkv, 2 * c, c);
        assertClose("one head's attention weights (" + type + ")", flat(NaiveReference.causalAttentionWeights(q, k)),
                attn.lastAttentionWeights(), rtol(type));
        assertClose("one head's output (" + type + ")", flat(NaiveReference.attentionHead(q, k, v)), y, rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void causalSelfAttention(DataType type) {
        int c = 16, heads = 4, b = 2, t = 7;
        CausalSelfAttention attn = new CausalSelfAttention(c, heads, 0.0, type, new Random(22));
        ReferenceWeights.randomize(attn, new Random(23), 0.5);
        attn.train(false);
        INDArray x = gaussian(new Random(24), type, 1.0, b, t, c);
        INDArray y = attn.forward(Tensor.of(x)).value();
        AttentionWeights w = ReferenceWeights.attention(ReferenceWeights.values(attn), "");
        double[][][] xs = batch(x);
        double[][][] expected = new double[b][][];
        List<double[][]> weights = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            expected[i] = NaiveReference.causalSelfAttention(xs[i], w, heads);
            for (double[][] h : NaiveReference.headWeights(xs[i], w, heads)) weights.add(h);
        }
        assertClose("attention weights [B,H,T,T] (" + type + ")", flat(weights.toArray(new double[0][][])),
                attn.lastAttentionWeights(), rtol(type));
        assertClose("CausalSelfAttention output (" + type + ")", flat(expected), y, rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void transformerBlock(DataType type) {
        int c = 16, heads = 2, b = 2, t = 5;
        Block block = new Block(c, heads, 0.0, type, new Random(25));
        ReferenceWeights.randomize(block, new Random(26), 0.4);
        block.train(false);
        INDArray x = gaussian(new Random(27), type, 1.0, b, t, c);
        INDArray y = block.forward(Tensor.of(x)).value();
        var w = ReferenceWeights.block(ReferenceWeights.values(block), "");
        double[][][] xs = batch(x);
        double[][][] expected = new double[b][][];
        for (int i = 0; i < b; i++) expected[i] = NaiveReference.block(xs[i], w, heads, LN_EPS);
        assertClose("Block output (" + type + ")", flat(expected), y, rtol(type));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void gptLogitsAndLoss(DataType type) {
        GPTConfig cfg = new GPTConfig(13, 8, 2, 2, 16, 0.0, type, 28);
        GPT gpt = new GPT(cfg);
        ReferenceWeights.randomize(gpt, new Random(29), 0.3);
        gpt.train(false);
        int[][] ids = {{1, 5, 12, 0, 7, 7, 3}, {4, 4, 2, 11, 9, 0, 6}};
        int[][] targets = {{5, 12, 0, 7, 7, 3, 8}, {4, 2, 11, 9, 0, 6, 1}};
        var w = ReferenceWeights.gpt(ReferenceWeights.values(gpt), cfg.nLayer());
        INDArray idArray = Nd4j.createFromArray(ids);
        assertClose("GPT logits (" + type + ")", flat(NaiveReference.gptLogits(ids, w, cfg.nHead(), LN_EPS)),
                gpt.forward(idArray).value(), rtol(type));
        assertClose("GPT loss (" + type + ")", NaiveReference.gptLoss(ids, targets, w, cfg.nHead(), LN_EPS),
                gpt.loss(idArray, Nd4j.createFromArray(targets)).item(), rtol(type));
    }

    /** LeNet-300-100 (784-300-100-10, ReLU) and a small MLP with each other activation. */
    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void mlpLogits(DataType type) {
        checkMlp(new MLP(new long[] {784, 300, 100, 10}, Activation.RELU, type, 42), NaiveReference::relu, 30);
        checkMlp(new MLP(new long[] {9, 8, 7, 4}, Activation.GELU, type, 42), NaiveReference::gelu, 31);
        checkMlp(new MLP(new long[] {9, 8, 7, 4}, Activation.TANH, type, 42), NaiveReference::tanh, 32);
        checkMlp(new MLP(new long[] {9, 8, 7, 4}, Activation.SIGMOID, type, 42), NaiveReference::sigmoid, 33);
    }

    private static void checkMlp(MLP mlp, DoubleUnaryOperator f, long seed) {
        Random rng = new Random(seed);
        DataType type = mlp.dataType();
        for (Linear l : mlp.linears()) l.bias().value().assign(gaussian(rng, type, 0.1, l.out()));
        INDArray x = ReferenceWeights.uniform(rng, type, 5, mlp.sizes()[0]); // pixel-like values in [0, 1)
        List<double[][]> ws = new ArrayList<>();
        List<double[]> bs = new ArrayList<>();
        for (Linear l : mlp.linears()) {
            ws.add(matrix(l.weight().value()));
            bs.add(vector(l.bias().value()));
        }
        assertClose("MLP " + mlp.activation() + " " + java.util.Arrays.toString(mlp.sizes()) + " (" + type + ")",
                flat(NaiveReference.mlpLogits(matrix(x), ws, bs, f)), mlp.forward(Tensor.of(x)).value(),
                rtol(type));
    }
}
