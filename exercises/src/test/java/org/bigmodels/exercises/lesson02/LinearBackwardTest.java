package org.bigmodels.exercises.lesson02;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 02.2. References: the engine's {@code Ops.linear} backward, and central finite differences
 * of {@code L = sum(Y * dY)} computed here with plain loops (whose gradient with respect to Y is exactly dY).
 */
class LinearBackwardTest {

    static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    @Graded(id = "02.2", points = 2, title = "dX, dW, db match the engine's linear backward")
    void matchesEngine() {
        INDArray x = rand(1, 5, 4), w = rand(2, 4, 3), b = rand(3, 3), dY = rand(4, 5, 3);
        Tensor tx = Tensor.param(x.dup()), tw = Tensor.param(w.dup()), tb = Tensor.param(b.dup());
        Ops.linear(tx, tw, tb).backward(dY);

        LinearBackward.Grads got = LinearBackward.backward(x, w, dY);

        assertArrayEquals(new long[] {5, 4}, got.dX().shape(), "dX shape");
        assertArrayEquals(new long[] {4, 3}, got.dW().shape(), "dW shape");
        assertArrayEquals(new long[] {3}, got.db().shape(), "db shape (a vector [out])");
        assertArrayEquals(tx.grad().reshape(20).toDoubleVector(), got.dX().reshape(20).toDoubleVector(), 1e-10, "dX");
        assertArrayEquals(tw.grad().reshape(12).toDoubleVector(), got.dW().reshape(12).toDoubleVector(), 1e-10, "dW");
        assertArrayEquals(tb.grad().toDoubleVector(), got.db().toDoubleVector(), 1e-10, "db");
    }

    /** L = sum_nj Y_nj dY_nj with Y = X W + b, by plain loops. */
    static double loss(double[][] x, double[][] w, double[] b, double[][] dY) {
        double l = 0;
        for (int n = 0; n < x.length; n++) {
            for (int j = 0; j < b.length; j++) {
                double y = b[j];
                for (int i = 0; i < w.length; i++) y += x[n][i] * w[i][j];
                l += y * dY[n][j];
            }
        }
        return l;
    }

    @Graded(id = "02.2", points = 2, title = "dX, dW, db match finite differences")
    void matchesFiniteDifferences() {
        double[][] x = rand(5, 3, 2).toDoubleMatrix(), w = rand(6, 2, 4).toDoubleMatrix(), dY = rand(8, 3, 4).toDoubleMatrix();
        double[] b = rand(7, 4).toDoubleVector();
        LinearBackward.Grads got = LinearBackward.backward(Nd4j.create(x), Nd4j.create(w), Nd4j.create(dY));
        double h = 1e-6;
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < 2; i++) {
                double keep = x[n][i];
                x[n][i] = keep + h;
                double plus = loss(x, w, b, dY);
                x[n][i] = keep - h;
                double minus = loss(x, w, b, dY);
                x[n][i] = keep;
                assertEquals((plus - minus) / (2 * h), got.dX().getDouble(n, i), 1e-6, "dX[" + n + "][" + i + "]");
            }
        }
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                double keep = w[i][j];
                w[i][j] = keep + h;
                double plus = loss(x, w, b, dY);
                w[i][j] = keep - h;
                double minus = loss(x, w, b, dY);
                w[i][j] = keep;
                assertEquals((plus - minus) / (2 * h), got.dW().getDouble(i, j), 1e-6, "dW[" + i + "][" + j + "]");
            }
        }
        for (int j = 0; j < 4; j++) {
            double keep = b[j];
            b[j] = keep + h;
            double plus = loss(x, w, b, dY);
            b[j] = keep - h;
            double minus = loss(x, w, b, dY);
            b[j] = keep;
            assertEquals((plus - minus) / (2 * h), got.db().getDouble(j), 1e-6, "db[" + j + "]");
        }
    }

    @Graded(id = "02.2", points = 1, title = "backward leaves its inputs unchanged")
    void inputsUnchanged() {
        INDArray x = rand(9, 2, 3), w = rand(10, 3, 2), dY = rand(11, 2, 2);
        INDArray x0 = x.dup(), w0 = w.dup(), dY0 = dY.dup();
        LinearBackward.backward(x, w, dY);
        assertEquals(x0, x, "x");
        assertEquals(w0, w, "w");
        assertEquals(dY0, dY, "dY");
    }
}
