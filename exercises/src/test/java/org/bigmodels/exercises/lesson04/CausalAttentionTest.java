package org.bigmodels.exercises.lesson04;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.bigmodels.nn.CausalSelfAttention;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Graded tests for exercise 04.2. References: the engine's ops (matmul, causalMask, softmax) and the weights that the
 * library's {@link CausalSelfAttention} records in a forward pass.
 */
class CausalAttentionTest {

    /** Like assertEquals, without JUnit's 16-digit "expected: <...> but was: <...>" tail: the message says it all. */
    static void near(double expected, double got, double tol, java.util.function.Supplier<String> message) {
        if (!(Math.abs(expected - got) <= tol)) {
            throw new AssertionError(message.get());
        }
    }

    static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    static INDArray engineWeights(INDArray q, INDArray k) {
        Tensor scores = Tensor.of(q).matmul(Tensor.of(k).T()).mul(1.0 / Math.sqrt(q.columns()));
        return Ops.causalMask(scores).softmax().value();
    }

    /** Row-wise softmax of q·kᵀ·scale in plain double loops; the future (j > i) is set to {@code future} before the
     *  softmax (-infinity: masked right; 0: the classic wrong mask; NaN: no mask at all). */
    static double[][] variant(INDArray q, INDArray k, double scale, double future) {
        double[][] qq = q.toDoubleMatrix(), kk = k.toDoubleMatrix();
        int t = qq.length;
        double[][] w = new double[t][t];
        for (int i = 0; i < t; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < t; j++) {
                double s = 0;
                for (int d = 0; d < qq[0].length; d++) s += qq[i][d] * kk[j][d];
                w[i][j] = j > i && !Double.isNaN(future) ? future : s * scale;
                max = Math.max(max, w[i][j]);
            }
            double sum = 0;
            for (int j = 0; j < t; j++) sum += (w[i][j] = Math.exp(w[i][j] - max));
            for (int j = 0; j < t; j++) w[i][j] /= sum;
        }
        return w;
    }

    static boolean close(double[][] a, INDArray got) {
        if (got.rank() != 2 || got.rows() != a.length || got.columns() != a.length) return false;
        double[][] g = got.toDoubleMatrix();
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a.length; j++) if (!(Math.abs(a[i][j] - g[i][j]) <= 1e-8)) return false;
        return true;
    }

    /** Fails with a message naming the mistake when the weights are one of the known wrong variants. */
    static void diagnose(INDArray q, INDArray k, INDArray got) {
        double d = q.columns(), s = 1 / Math.sqrt(d), inf = Double.NEGATIVE_INFINITY, none = Double.NaN;
        if (close(variant(q, k, 1.0, inf), got)) {
            throw new AssertionError("scores were not divided by sqrt(d) = sqrt(" + (int) d + "): softmax(q·kᵀ / sqrt(d))"
                    + " keeps the scores' variance near 1 whatever the head size");
        }
        if (close(variant(q, k, 1 / d, inf), got)) {
            throw new AssertionError("scores were divided by d = " + (int) d + ", not by sqrt(d)");
        }
        if (close(variant(q, k, s, 0.0), got) || close(variant(q, k, 1.0, 0.0), got)) {
            throw new AssertionError("the future was masked with 0 instead of -infinity: a score of 0 still gets"
                    + " exp(0) = 1 in the softmax, so position i attends to the future; set the scores j > i to"
                    + " -infinity before the softmax (exp(-infinity) = 0)");
        }
        if (close(variant(q, k, s, none), got) || close(variant(q, k, 1.0, none), got)) {
            throw new AssertionError("no causal mask: position i attends to the future positions j > i; set their"
                    + " scores to -infinity before the softmax");
        }
        if (close(variant(k, q, s, inf), got)) {
            throw new AssertionError("the scores are k·qᵀ, the transpose of q·kᵀ: row i (the query) must hold q_i·k_j");
        }
        if (got.rank() == 2 && got.rows() == got.columns()) {
            double[][] w = got.toDoubleMatrix();
            double[] col = new double[w.length];
            for (double[] row : w) for (int j = 0; j < w.length; j++) col[j] += row[j];
            boolean columnsSumToOne = true;
            for (double c : col) columnsSumToOne &= Math.abs(c - 1) < 1e-8;
            if (columnsSumToOne && Math.abs(w[0][0] - 1) > 1e-8) {
                throw new AssertionError("the softmax was taken over the wrong axis (columns sum to 1): normalise each"
                        + " ROW i over the keys j <= i");
            }
        }
    }

    static void assertWeights(double[] expected, double[] got, double tol, String reference) {
        for (int i = 0; i < expected.length; i++) {
            int ii = i;
            int t = (int) Math.round(Math.sqrt(expected.length));
            near(expected[i], got[i], tol, () -> String.format("weight[%d][%d] is %.6g but %s gives %.6g",
                    ii / t, ii % t, got[ii], reference, expected[ii]));
        }
    }

    @Graded(id = "04.2", points = 2, title = "weights match the engine's causalMask + softmax")
    void matchesEngine() {
        INDArray q = rand(1, 7, 5), k = rand(2, 7, 5);
        INDArray got = CausalAttention.weights(q, k);
        assertArrayEquals(new long[] {7, 7}, got.shape(), "the weights of T = 7 positions have shape [T, T]");
        diagnose(q, k, got);
        assertWeights(engineWeights(q, k).reshape(49).toDoubleVector(), got.reshape(49).toDoubleVector(), 1e-10,
                "the engine's softmax(causalMask(q·kᵀ / sqrt(d)))");
    }

    @Graded(id = "04.2", points = 2, title = "the future gets weight exactly 0; rows sum to 1; position 0 sees only itself")
    void futureIsExactlyZero() {
        INDArray q = rand(3, 6, 4).muli(5), k = rand(4, 6, 4).muli(5);
        INDArray got = CausalAttention.weights(q, k);
        diagnose(q, k, got);
        double[][] w = got.toDoubleMatrix();
        for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (int j = 0; j < 6; j++) {
                int ii = i, jj = j;
                if (j > i) near(0.0, w[i][j], 0.0, () -> String.format("position %d gives weight %.6g to the future"
                        + " position %d; it must be exactly 0 (score -infinity before the softmax)", ii, w[ii][jj], jj));
                sum += w[i][j];
            }
            double total = sum;
            int row = i;
            near(1.0, sum, 1e-12, () -> String.format("row %d of the weights sums to %.6g, not 1: softmax normalises"
                    + " each row over the keys it may see", row, total));
        }
        near(1.0, w[0][0], 1e-15, () -> String.format("the first position gives itself weight %.6g; it can only"
                + " attend to itself, so the weight must be 1", w[0][0]));
    }

    @Graded(id = "04.2", points = 1, title = "attend = weights · v")
    void attendMatchesEngine() {
        INDArray q = rand(5, 5, 3), k = rand(6, 5, 3), v = rand(7, 5, 2);
        INDArray expected = engineWeights(q, k).mmul(v);
        INDArray got = CausalAttention.attend(q, k, v);
        try {
            diagnose(q, k, CausalAttention.weights(q, k));   // attend is only as right as the weights it uses
        } catch (UnsupportedOperationException notYet) {
            // weights not written yet: attend is graded on its own
        }
        assertArrayEquals(new long[] {5, 2}, got.shape(), "attend(q [T, d], k [T, d], v [T, dv]) has shape [T, dv]");
        double[] e = expected.reshape(10).toDoubleVector(), g = got.reshape(10).toDoubleVector();
        for (int i = 0; i < 10; i++) {
            int ii = i;
            near(e[i], g[i], 1e-10, () -> String.format("output[%d][%d] is %.6g but weights(q, k)·v gives %.6g",
                    ii / 2, ii % 2, g[ii], e[ii]));
        }
    }

    @Graded(id = "04.2", points = 2, title = "weights match a one-head CausalSelfAttention's recorded weights")
    void matchesTheModelsAttention() {
        int t = 6, c = 8;
        CausalSelfAttention attn = new CausalSelfAttention(c, 1, 0.0, DataType.DOUBLE, new Random(3));
        INDArray x = rand(8, 1, t, c);
        attn.forward(Tensor.of(x));
        INDArray recorded = attn.lastAttentionWeights().get(NDArrayIndex.point(0), NDArrayIndex.point(0),
                NDArrayIndex.all(), NDArrayIndex.all());
        // the layer's qkv map gives [q | k | v] side by side
        INDArray qkv = x.reshape(t, c).mmul(attn.parameter("qkv.weight").value())
                .addRowVector(attn.parameter("qkv.bias").value());
        INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c)).dup();
        INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(c, 2 * c)).dup();
        INDArray got = CausalAttention.weights(q, k);
        assertArrayEquals(new long[] {t, t}, got.shape(), "the weights of T = 6 positions have shape [T, T]");
        diagnose(q, k, got);
        assertWeights(recorded.dup().reshape(t * t).toDoubleVector(), got.reshape(t * t).toDoubleVector(), 1e-9,
                "CausalSelfAttention's recorded weights");
    }
}
