package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast paths against their plain formulas: FusedAttention against the composition of separate ops that
 * CausalSelfAttention writes, the layer-norm and GELU loops (RowKernels) against their ND4J chains; values and
 * gradients, float32.
 */
class FusedKernelsTest {

    /** The unfused attention of CausalSelfAttention: split, [B,T,H,d] -> [B,H,T,d], softmax(mask(qkᵀ/√d))·v, joined. */
    static Tensor composed(Tensor qkv, int nHead) {
        long b = qkv.size(0), t = qkv.size(1), c = qkv.size(2) / 3, hd = c / nHead;
        List<Tensor> parts = Ops.chunk(qkv, 2, 3);
        Tensor q = parts.get(0).reshape(b, t, nHead, hd).transpose(1, 2);
        Tensor k = parts.get(1).reshape(b, t, nHead, hd).transpose(1, 2);
        Tensor v = parts.get(2).reshape(b, t, nHead, hd).transpose(1, 2);
        Tensor w = Ops.causalMask(q.matmul(k.transpose(2, 3)).mul(1.0 / Math.sqrt(hd))).softmax();
        return w.matmul(v).transpose(1, 2).reshape(b, t, c);
    }

    /**
     * The ReLU backward's branch-free mask against the plain comparison {@code !(o <= 0) ? g : 0}, on the values where
     * a bit trick can slip: +0, -0, the smallest subnormals, negatives, infinities, NaN, the extremes.
     */
    @Test
    void reluMaskMatchesTheComparison() {
        float[] os = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-38f, -1e-38f, 1f, -1f, Float.MAX_VALUE,
                -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 3.5f, -2.25f};
        for (float o : os) {
            for (float g : new float[] {1.5f, -7f, 0f}) {
                float expect = !(o <= 0f) ? g : 0f;
                assertTrue(Float.floatToRawIntBits(Loops.keepWherePositive(o, g)) == Float.floatToRawIntBits(expect)
                        || expect == 0f && Loops.keepWherePositive(o, g) == 0f,
                        "ReLU backward mask at o = " + o + ", g = " + g + ": got " + Loops.keepWherePositive(o, g)
                                + ", expected " + expect);
            }
        }
    }

    @Test
    void fusedAttentionMatchesTheComposedOps() {
        Nd4j.getRandom().setSeed(3);
        INDArray start = Nd4j.randn(DataType.FLOAT, 2, 5, 3 * 8);
        INDArray seed = Nd4j.randn(DataType.FLOAT, 2, 5, 8);
        Tensor a = Tensor.param(start.dup()), b = Tensor.param(start.dup());
        assertTrue(FusedAttention.usable(a), "the CPU backend with FLOAT runs the fused op");
        FusedAttention.Result fused = FusedAttention.causal(a, 2);
        Tensor plain = composed(b, 2);
        fused.output().backward(seed);
        plain.backward(seed);
        close("attention output", plain.value(), fused.output().value());
        close("qkv gradient", b.grad(), a.grad());
        // the weights: rows sum to 1, the future is 0
        INDArray w = fused.weights();
        for (int i = 0; i < 5; i++) {
            double s = 0;
            for (int j = 0; j < 5; j++) {
                s += w.getFloat(1, 1, i, j);
                if (j > i) assertTrue(w.getFloat(1, 1, i, j) == 0f, "future weight (" + i + ", " + j + ") must be 0");
            }
            assertTrue(Math.abs(s - 1) < 1e-6, "row " + i + " sums to " + s);
        }
    }

    /**
     * The layer norm's four-partial-sum row reductions against the one-sum loops they replace, on lengths with and
     * without a tail (n mod 4 = 0..3), from an offset inside the array; the two orders differ by double rounding only.
     */
    @Test
    void rowSumsMatchTheOneSumLoops() {
        java.util.Random rnd = new java.util.Random(11);
        float[] a = new float[64], b = new float[64];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextGaussian() * 3 + 2);
            b[i] = (float) rnd.nextGaussian();
        }
        for (int n = 0; n <= 23; n++) {
            int from = 5, other = 17;
            double sum = 0, dot = 0;
            for (int j = 0; j < n; j++) {
                sum += a[from + j];
                dot += (double) a[from + j] * b[other + j];
            }
            double mean = n == 0 ? 0 : sum / n, sq = 0;
            for (int j = 0; j < n; j++) sq += (a[from + j] - mean) * (a[from + j] - mean);
            nearDouble("rowSum n=" + n, sum, RowKernels.rowSum(a, from, n));
            nearDouble("rowSquaredDeviations n=" + n, sq, RowKernels.rowSquaredDeviations(a, from, n, mean));
            nearDouble("rowDot n=" + n, dot, RowKernels.rowDot(a, from, b, other, n));
        }
    }

    private static void nearDouble(String what, double want, double got) {
        assertTrue(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), what + ": got " + got + ", want " + want);
    }

    @Test
    void layerNormLoopMatchesTheNd4jChain() {
        Nd4j.getRandom().setSeed(4);
        INDArray x0 = Nd4j.randn(DataType.FLOAT, 3, 4, 16).muli(3).addi(1.5);
        INDArray g0 = Nd4j.randn(DataType.FLOAT, 16), b0 = Nd4j.randn(DataType.FLOAT, 16);
        INDArray seed = Nd4j.randn(DataType.FLOAT, 3, 4, 16);
        Tensor[] fast = {Tensor.param(x0.dup()), Tensor.param(g0.dup()), Tensor.param(b0.dup())};
        Tensor[] ref = {Tensor.param(x0.dup()), Tensor.param(g0.dup()), Tensor.param(b0.dup())};
        Tensor yf = Ops.layerNorm(fast[0], fast[1], fast[2], 1e-5);
        Tensor yr = Ops.layerNormNd4j(ref[0], ref[1], ref[2], 1e-5);
        yf.backward(seed);
        yr.backward(seed);
        close("layer norm", yr.value(), yf.value());
        close("layer norm dx", ref[0].grad(), fast[0].grad());
        close("layer norm dgamma", ref[1].grad(), fast[1].grad());
        close("layer norm dbeta", ref[2].grad(), fast[2].grad());
    }

    /**
     * The GELU's rational tanh against Math.tanh: a dense grid over [-12, 12] (the clamp at ±9 included), the tiny
     * arguments where tanh(x) = x, the infinities and NaN.
     */
    @Test
    void rationalTanhMatchesMathTanh() {
        double worst = 0;
        for (int i = -1_200_000; i <= 1_200_000; i++) {
            float x = i * 1e-5f;
            worst = Math.max(worst, Math.abs(RowKernels.tanhRational(x) - Math.tanh(x)));
        }
        assertTrue(worst <= 4e-7, "tanhRational on [-12, 12]: max |error| " + worst + " > 4e-7");
        for (float x : new float[] {1e-30f, -1e-20f, 1e-7f, Float.MIN_VALUE}) {
            assertTrue(Math.abs(RowKernels.tanhRational(x) - x) <= 1e-7 * Math.abs(x), "tanhRational(" + x + ") = "
                    + RowKernels.tanhRational(x) + ", expected about x");
        }
        assertTrue(RowKernels.tanhRational(Float.POSITIVE_INFINITY) == 1f
                && RowKernels.tanhRational(Float.NEGATIVE_INFINITY) == -1f, "tanhRational(±inf) should be ±1");
        assertTrue(Float.isNaN(RowKernels.tanhRational(Float.NaN)), "tanhRational(NaN) should be NaN");
    }

    @Test
    void geluLoopMatchesTheNd4jChain() {
        Nd4j.getRandom().setSeed(5);
        INDArray x0 = Nd4j.randn(DataType.FLOAT, 6, 50).muli(4); // tails included: tanh near ±1
        INDArray seed = Nd4j.randn(DataType.FLOAT, 6, 50);
        check("GELU", Ops::gelu, Ops::geluNd4j, x0, seed);
    }

    private static void check(String what, Function<Tensor, Tensor> fast, Function<Tensor, Tensor> ref, INDArray x0,
                              INDArray seed) {
        Tensor a = Tensor.param(x0.dup()), b = Tensor.param(x0.dup());
        Tensor ya = fast.apply(a), yb = ref.apply(b);
        ya.backward(seed);
        yb.backward(seed);
        close(what, yb.value(), ya.value());
        close(what + " gradient", b.grad(), a.grad());
    }

    /** max |got - want| <= 1e-5 * max(1, max |want|): float32 agreement. */
    static void close(String what, INDArray want, INDArray got) {
        double scale = Math.max(1, want.amaxNumber().doubleValue());
        double err = got.castTo(DataType.DOUBLE).sub(want.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(err <= 1e-5 * scale, what + ": max |fast - plain| = " + err + " (scale " + scale + ")");
    }
}
