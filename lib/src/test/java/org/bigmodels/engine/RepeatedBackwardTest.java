package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 1 of issue 6: a second backward over a graph that was already back-propagated. Leaves accumulate over
 * calls, intermediate gradients are per call (PyTorch's semantics). Expected values are closed forms in plain double
 * loops, and central differences for the diamond.
 */
class RepeatedBackwardTest {
    // x [2, 3] (data), w [3, 4] (a parameter); h = x·w
    static final double[][] X = {{1.0, -2.0, 0.5}, {0.3, 0.7, -1.1}};
    static final double[][] W = {{0.2, -0.4, 0.1, 0.9}, {-0.6, 0.3, 0.8, -0.2}, {0.5, 0.05, -0.7, 0.4}};

    static double[][] h(double[][] w) {
        double[][] h = new double[2][4];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 3; k++) h[i][j] += X[i][k] * w[k][j];
        return h;
    }

    /** x^T · d for d [2, 4]: dL/dw when dL/dh = d. */
    static double[][] xT(double[][] d) {
        double[][] g = new double[3][4];
        for (int k = 0; k < 3; k++) for (int j = 0; j < 4; j++) for (int i = 0; i < 2; i++) g[k][j] += X[i][k] * d[i][j];
        return g;
    }

    static double[][] map(double[][] a, java.util.function.DoubleUnaryOperator f) {
        double[][] o = new double[a.length][];
        for (int i = 0; i < a.length; i++) o[i] = java.util.Arrays.stream(a[i]).map(f).toArray();
        return o;
    }

    static double[][] plus(double[][] a, double[][] b) {
        double[][] o = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) o[i][j] = a[i][j] + b[i][j];
        return o;
    }

    static void assertGrad(double[][] expected, INDArray got, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got.getRow(i).toDoubleVector(), 1e-12, what + ", row " + i);
        }
    }

    static Tensor x() {
        return Tensor.of(Nd4j.createFromArray(X));
    }

    @Test
    void twoLossesBackPropagatedOneAfterTheOtherGiveTheGradientOfTheirSum() {
        Tensor w = Tensor.param(Nd4j.createFromArray(W));
        Tensor h = x().matmul(w);
        Tensor l1 = h.sum(), l2 = h.mul(h).sum();
        l1.backward();
        l2.backward();
        double[][] hv = h(W);
        double[][] dl1 = xT(map(hv, v -> 1.0)), dl2 = xT(map(hv, v -> 2 * v)); // d sum(h)/dh = 1, d sum(h^2)/dh = 2h
        assertGrad(plus(dl1, dl2), w.grad(), "w.grad after l1.backward(); l2.backward() must be dl1/dw + dl2/dw");
        assertGrad(map(hv, v -> 2 * v), h.grad(), "an intermediate gradient holds the last call's value (2h)");
    }

    @Test
    void theSameLossBackPropagatedTwiceGivesTwiceItsGradient() {
        Tensor w = Tensor.param(Nd4j.createFromArray(W));
        Tensor loss = x().matmul(w).tanh().sum();
        loss.backward();
        loss.backward();
        double[][] hv = h(W);
        double[][] once = xT(map(hv, v -> 1 - Math.tanh(v) * Math.tanh(v)));
        assertGrad(plus(once, once), w.grad(), "loss.backward() twice");
    }

    @Test
    void aDiamondSharedByTwoLossesMatchesFiniteDifferencesOfTheirSum() {
        // h = x·w is used twice inside l1 (a diamond), and a = h∘h is shared by l1 and l2; extra nodes whose
        // backward passes its incoming gradient on by reference (add of a scalar, reshape) sit on the shared path
        java.util.function.Function<Tensor, Tensor[]> losses = w -> {
            Tensor h = x().matmul(w).add(0.25).reshape(8).reshape(2, 4);
            Tensor a = h.mul(h);
            Tensor l1 = a.add(h.mul(3.0)).sum();
            Tensor l2 = a.mean();
            return new Tensor[] {l1, l2};
        };
        Tensor w = Tensor.param(Nd4j.createFromArray(W));
        Tensor[] l = losses.apply(w);
        l[0].backward();
        l[1].backward();
        l[0].backward(); // l1 twice: expected gradient of 2 l1 + l2
        INDArray analytic = w.grad().dup();
        double step = 1e-6;
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 4; j++) {
                double[] f = new double[2];
                for (int s = 0; s < 2; s++) {
                    double[][] wv = map(W, v -> v);
                    wv[k][j] += s == 0 ? step : -step;
                    double[][] hv = map(h(wv), v -> v + 0.25);
                    double l1 = 0, l2 = 0;
                    for (double[] row : hv) for (double v : row) {
                        l1 += v * v + 3 * v;
                        l2 += v * v / 8;
                    }
                    f[s] = 2 * l1 + l2;
                }
                assertEquals((f[0] - f[1]) / (2 * step), analytic.getDouble(k, j), 1e-6, "w[" + k + "," + j + "]");
            }
        }
    }

    @Test
    void aSeedAndTheGradientsOfOtherNodesAreNeverModifiedByLaterAccumulation() {
        Tensor w = Tensor.param(Nd4j.createFromArray(1.0, 2.0, 3.0));
        Tensor y = w.add(0.0); // its backward hands y's own gradient array to w
        INDArray seed = Nd4j.createFromArray(1.0, 10.0, 100.0);
        y.backward(seed);
        y.backward(seed);
        assertArrayEquals(new double[] {1, 10, 100}, seed.toDoubleVector(), 0.0, "the caller's seed is not written to");
        assertArrayEquals(new double[] {1, 10, 100}, y.grad().toDoubleVector(), 0.0, "y holds one call's gradient");
        assertArrayEquals(new double[] {2, 20, 200}, w.grad().toDoubleVector(), 0.0, "w accumulates both calls");
    }
}
