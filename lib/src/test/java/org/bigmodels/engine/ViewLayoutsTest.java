package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Review finding 6: the Java loops over ND4J buffers (Ops' loops in crossEntropy and embedding, Loops, RowKernels,
 * FusedAttention, Ops.logSoftmaxValue, the matmul row view) must be right for inputs and seed gradients of every
 * layout: a dense view at offset 0 of a larger array (whose buffer is the larger array), a view at an offset, a
 * strided view, an 'f'-ordered array and a transposed view. The expected values are those of the same numbers in a
 * plain row-major array (the plain path is itself checked against naive loops in ForwardReferenceTest), and for
 * crossEntropy a plain double loop.
 */
class ViewLayoutsTest {

    static INDArray random(long seed, DataType type, long... shape) {
        Random r = new Random(seed);
        long n = 1;
        for (long s : shape) n *= s;
        double[] d = new double[(int) n];
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian();
        return Nd4j.create(d, shape, 'c').castTo(type);
    }

    static INDArrayIndex[] range(long[] shape, int axis, long from) {
        INDArrayIndex[] idx = new INDArrayIndex[shape.length];
        for (int i = 0; i < shape.length; i++) {
            idx[i] = i == axis ? NDArrayIndex.interval(from, from + shape[i]) : NDArrayIndex.all();
        }
        return idx;
    }

    /** The same values as {@code plain} in five layouts (plus the plain array itself). */
    static Map<String, INDArray> layouts(INDArray plain) {
        long[] s = plain.shape();
        int r = s.length;
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("c", plain.dup('c'));
        out.put("f", plain.dup('f'));
        long[] taller = s.clone();
        taller[0] += 2;
        out.put("view at offset 0", Nd4j.zeros(plain.dataType(), taller).get(range(s, 0, 0)).assign(plain));
        out.put("view at an offset", Nd4j.zeros(plain.dataType(), taller).get(range(s, 0, 1)).assign(plain));
        long[] wider = s.clone();
        wider[r - 1] += 3;
        out.put("strided view", Nd4j.zeros(plain.dataType(), wider).get(range(s, r - 1, 1)).assign(plain));
        int[] rev = new int[r];
        long[] revShape = new long[r];
        for (int i = 0; i < r; i++) {
            rev[i] = r - 1 - i;
            revShape[i] = s[r - 1 - i];
        }
        out.put("transposed view", Nd4j.zeros(plain.dataType(), revShape).permute(rev).assign(plain));
        out.values().forEach(a -> assertArrayEquals(flat(plain), flat(a), 0.0, "layout set-up"));
        return out;
    }

    static double[] flat(INDArray a) {
        return a.dup('c').castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector();
    }

    static void close(double[] e, double[] g, double tol, String what) {
        assertEquals(e.length, g.length, what);
        for (int i = 0; i < e.length; i++) assertEquals(e[i], g[i], tol * Math.max(1, Math.abs(e[i])), what + " [" + i + "]");
    }

    /**
     * f applied to x in every layout, back-propagated with a seed in every layout: value and dL/dx equal those of the
     * plain arrays.
     */
    static void sameForEveryLayout(String op, INDArray x, Function<Tensor, Tensor> f, double tol) {
        Tensor ref = Tensor.param(x.dup('c'));
        Tensor y = f.apply(ref);
        INDArray seed = random(99, y.dataType(), y.shape());
        y.backward(seed.dup('c'));
        double[] value = flat(y.value()), grad = flat(ref.grad());
        for (var in : layouts(x).entrySet()) {
            for (var sd : layouts(seed).entrySet()) {
                Tensor p = Tensor.param(in.getValue());
                Tensor out = f.apply(p);
                String what = op + " on a " + in.getKey() + " input, " + sd.getKey() + " seed";
                close(value, flat(out.value()), tol, what + ": value");
                out.backward(sd.getValue());
                close(grad, flat(p.grad()), tol, what + ": gradient");
            }
        }
    }

    @Test
    void crossEntropyOnEveryLayoutMatchesAPlainDoubleLoop() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray z = random(2, type, 4, 3);
            int[] t = {2, 0, 1, 1};
            double[] zd = flat(z), grad = new double[12];
            double loss = 0;
            for (int i = 0; i < 4; i++) {
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (int j = 0; j < 3; j++) max = Math.max(max, zd[i * 3 + j]);
                for (int j = 0; j < 3; j++) s += Math.exp(zd[i * 3 + j] - max);
                loss += max + Math.log(s) - zd[i * 3 + t[i]];
                for (int j = 0; j < 3; j++) grad[i * 3 + j] = (Math.exp(zd[i * 3 + j] - max) / s - (j == t[i] ? 1 : 0)) / 4;
            }
            for (var in : layouts(z).entrySet()) {
                Tensor p = Tensor.param(in.getValue());
                Tensor l = Ops.crossEntropy(p, Nd4j.createFromArray(t));
                assertEquals(loss / 4, l.item(), 1e-6, type + " " + in.getKey() + ": loss");
                l.backward();
                close(grad, flat(p.grad()), 1e-6, type + " " + in.getKey() + ": gradient");
            }
        }
    }

    @Test
    void rowKernelsLoopsAndRowViewsOnEveryLayout() {
        INDArray x = random(3, DataType.FLOAT, 3, 4).muli(2);
        sameForEveryLayout("gelu (RowKernels)", x, Tensor::gelu, 1e-6);
        sameForEveryLayout("relu (Loops)", x, Ops::relu, 0);
        sameForEveryLayout("logSoftmax", x, Tensor::logSoftmax, 1e-6);
        sameForEveryLayout("softmax", x, Tensor::softmax, 1e-6);
        INDArray gamma = random(4, DataType.FLOAT, 4), beta = random(5, DataType.FLOAT, 4);
        sameForEveryLayout("layerNorm (RowKernels)", x, v -> Ops.layerNorm(v, Tensor.of(gamma), Tensor.of(beta), 1e-5), 1e-5);
        INDArray w = random(6, DataType.FLOAT, 4, 5);
        sameForEveryLayout("matmul (rows)", x, v -> v.matmul(Tensor.of(w)), 1e-5);
        sameForEveryLayout("linear (rows)", x, v -> Ops.linear(v, Tensor.of(w), Tensor.of(random(7, DataType.FLOAT, 5))), 1e-5);
        INDArray ids = Nd4j.createFromArray(new int[][] {{1, 0, 1}, {2, 1, 1}});
        sameForEveryLayout("embedding (backward loop)", x, v -> Ops.embedding(v, ids), 1e-6);
        sameForEveryLayout("gelu (DOUBLE path)", x.castTo(DataType.DOUBLE), Tensor::gelu, 1e-12);
        sameForEveryLayout("relu (DOUBLE Loops)", x.castTo(DataType.DOUBLE), Ops::relu, 0);
    }

    @Test
    void fusedAttentionOnEveryLayoutItAccepts() {
        INDArray qkv = random(8, DataType.FLOAT, 2, 3, 12);
        Tensor ref = Tensor.param(qkv.dup('c'));
        Tensor y0 = FusedAttention.causal(ref, 2).output();
        INDArray seed = random(9, DataType.FLOAT, 2, 3, 4);
        y0.backward(seed.dup('c'));
        int accepted = 0;
        for (var in : layouts(qkv).entrySet()) {
            for (var sd : layouts(seed).entrySet()) {
                Tensor p = Tensor.param(in.getValue());
                if (!FusedAttention.usable(p)) {
                    assertThrows(IllegalArgumentException.class, () -> FusedAttention.causal(p, 2), in.getKey());
                    continue;
                }
                accepted++;
                Tensor y = FusedAttention.causal(p, 2).output();
                y.backward(sd.getValue());
                String what = "FusedAttention on a " + in.getKey() + " qkv, " + sd.getKey() + " seed";
                close(flat(y0.value()), flat(y.value()), 1e-6, what + ": value");
                close(flat(ref.grad()), flat(p.grad()), 1e-6, what + ": gradient");
            }
        }
        assertTrue(accepted >= 12, "FusedAttention accepted only " + accepted / 6 + " layouts");
    }
}
