package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigmodels.engine.Gemm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Worker threads call BLAS at the same time, as data-parallel workers do: the bundled OpenBLAS (through
 * {@link Gemm#mm}) and ND4J ops (mmul, tanh) must give, on every thread and every repetition, exactly what a single
 * thread computes sequentially, and that must match a plain double loop. Verified, not assumed: a BLAS built
 * without thread safety corrupts results or crashes when called concurrently.
 */
@Timeout(60)
class BlasConcurrencyTest {
    static final int WORKERS = 4;
    static final int REPEATS = 25;

    static INDArray random(long seed, int rows, int cols) {
        Random rnd = new Random(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(rows, cols);
    }

    static double[] loopProduct(INDArray a, INDArray b) {
        int m = (int) a.size(0);
        int k = (int) a.size(1);
        int n = (int) b.size(1);
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a.getDouble(i, p) * b.getDouble(p, j);
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** One worker's job: its own matrices, a chain of products and an elementwise op. */
    static double[][] job(int worker) {
        INDArray a = random(100 + worker, 96, 80);
        INDArray b = random(200 + worker, 80, 72);
        INDArray gemm = Gemm.mm(a, false, b, false);
        INDArray nd = Transforms.tanh(a.mmul(b), true);
        INDArray af = a.castTo(DataType.FLOAT);
        INDArray bf = b.castTo(DataType.FLOAT);
        INDArray gemmF = Gemm.mm(af, false, bf, false);
        return new double[][] {gemm.reshape(gemm.length()).toDoubleVector(), nd.reshape(nd.length()).toDoubleVector(),
                gemmF.castTo(DataType.DOUBLE).reshape(gemmF.length()).toDoubleVector()};
    }

    @Test
    void concurrentBlasCallsEqualSequentialCalls() throws Exception {
        List<double[][]> sequential = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            sequential.add(job(w));
            INDArray a = random(100 + w, 96, 80);
            INDArray b = random(200 + w, 80, 72);
            assertArrayEquals(loopProduct(a, b), sequential.get(w)[0], 1e-10, "Gemm.mm vs plain loop, worker " + w);
        }
        List<double[][][]> concurrent = ThreadCommunicator.run(WORKERS, 50_000, c -> {
            double[][][] out = new double[REPEATS][][];
            c.barrier();                          // start together
            for (int i = 0; i < REPEATS; i++) {
                out[i] = job(c.rank());
            }
            return out;
        });
        for (int w = 0; w < WORKERS; w++) {
            for (int i = 0; i < REPEATS; i++) {
                String what = "worker " + w + " repetition " + i;
                assertArrayEquals(sequential.get(w)[0], concurrent.get(w)[i][0], 0.0, "Gemm.mm (double), " + what);
                assertArrayEquals(sequential.get(w)[1], concurrent.get(w)[i][1], 0.0, "ND4J mmul+tanh, " + what);
                assertArrayEquals(sequential.get(w)[2], concurrent.get(w)[i][2], 0.0, "Gemm.mm (float), " + what);
            }
        }
    }
}
