package org.bigmodels.exercises.lesson04;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    static INDArray engineWeights(INDArray q, INDArray k) {
        Tensor scores = Tensor.of(q).matmul(Tensor.of(k).T()).mul(1.0 / Math.sqrt(q.columns()));
        return Ops.causalMask(scores).softmax().value();
    }

    @Graded(id = "04.2", points = 2, title = "weights match the engine's causalMask + softmax")
    void matchesEngine() {
        INDArray q = rand(1, 7, 5), k = rand(2, 7, 5);
        INDArray got = CausalAttention.weights(q, k);
        assertArrayEquals(new long[] {7, 7}, got.shape(), "shape");
        assertArrayEquals(engineWeights(q, k).reshape(49).toDoubleVector(), got.reshape(49).toDoubleVector(), 1e-10);
    }

    @Graded(id = "04.2", points = 2, title = "the future gets weight exactly 0; rows sum to 1; position 0 sees only itself")
    void futureIsExactlyZero() {
        INDArray q = rand(3, 6, 4).muli(5), k = rand(4, 6, 4).muli(5);
        double[][] w = CausalAttention.weights(q, k).toDoubleMatrix();
        for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (int j = 0; j < 6; j++) {
                if (j > i) assertEquals(0.0, w[i][j], 0.0, "weight of future position " + j + " seen from " + i);
                sum += w[i][j];
            }
            assertEquals(1.0, sum, 1e-12, "row " + i + " sums to 1");
        }
        assertEquals(1.0, w[0][0], 1e-15, "the first position can only attend to itself");
    }

    @Graded(id = "04.2", points = 1, title = "attend = weights · v")
    void attendMatchesEngine() {
        INDArray q = rand(5, 5, 3), k = rand(6, 5, 3), v = rand(7, 5, 2);
        INDArray expected = engineWeights(q, k).mmul(v);
        INDArray got = CausalAttention.attend(q, k, v);
        assertArrayEquals(new long[] {5, 2}, got.shape(), "shape");
        assertArrayEquals(expected.reshape(10).toDoubleVector(), got.reshape(10).toDoubleVector(), 1e-10);
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
        assertArrayEquals(recorded.dup().reshape(t * t).toDoubleVector(), got.reshape(t * t).toDoubleVector(), 1e-9);
    }
}
