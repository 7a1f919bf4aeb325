package org.bigmodels.exercises.lesson09;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.bigmodels.comm.CommunicationException;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.bigmodels.tensorparallel.ParallelLinear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a learner's ParallelLinear on p worker threads and computes the dense reference with plain double loops:
 * y = x·W + b, and for the loss L = Σ y∘R (R a fixed random "upstream gradient"): dW = xᵀ·R, db = column sums of R,
 * dx = R·Wᵀ.
 */
final class ParallelLinearHarness {
    static final long TIMEOUT_MILLIS = 20_000;
    static final int N = 5, IN = 8, OUT = 12;

    final double[][] x = new double[N][IN], w = new double[IN][OUT], r = new double[N][OUT];
    final double[] b = new double[OUT];
    final double[][] y = new double[N][OUT], dw = new double[IN][OUT], dx = new double[N][IN];
    final double[] db = new double[OUT];
    final Linear dense;

    ParallelLinearHarness(long seed) {
        Random rnd = new Random(seed);
        for (double[] row : x) for (int j = 0; j < IN; j++) row[j] = rnd.nextInt(17) / 4.0 - 2;
        for (double[] row : w) for (int j = 0; j < OUT; j++) row[j] = rnd.nextInt(17) / 8.0 - 1;
        for (double[] row : r) for (int j = 0; j < OUT; j++) row[j] = rnd.nextInt(9) / 4.0 - 1;
        for (int j = 0; j < OUT; j++) b[j] = rnd.nextInt(9) + 1; // clearly non-zero, so a bias added p times shows
        for (int i = 0; i < N; i++)
            for (int o = 0; o < OUT; o++) {
                double s = b[o];
                for (int k = 0; k < IN; k++) s += x[i][k] * w[k][o];
                y[i][o] = s;
                db[o] += r[i][o];
                for (int k = 0; k < IN; k++) {
                    dw[k][o] += x[i][k] * r[i][o];
                    dx[i][k] += r[i][o] * w[k][o];
                }
            }
        dense = new Linear(IN, OUT, DataType.DOUBLE, new Random(0));
        dense.weight().value().assign(Nd4j.createFromArray(w));
        dense.bias().value().assign(Nd4j.createFromArray(b));
    }

    /** What one rank produced. */
    record Result(double[][] y, double[][] dw, double[] db, double[][] dx, long bytesForward, long bytesBackward,
                  long[] weightShape) {
    }

    /**
     * Runs on p ranks: each builds its layer, takes {@code input.apply(rank, p)} as x (a param), computes y, the loss
     * Σ y∘{@code probe.apply(rank, p)}, and backward.
     */
    List<Result> run(int p, BiFunction<Linear, Communicator, ParallelLinear> make,
                     BiFunction<Integer, Integer, double[][]> input, BiFunction<Integer, Integer, double[][]> probe) {
        try {
            return ThreadCommunicator.run(p, TIMEOUT_MILLIS, comm -> {
                ParallelLinear layer = make.apply(dense, comm);
                Tensor xt = Tensor.param(Nd4j.createFromArray(input.apply(comm.rank(), p)));
                comm.resetStats();
                Tensor yt = layer.forward(xt);
                long fwd = comm.totalBytesSent();
                double[][] probeR = probe.apply(comm.rank(), p);
                if (yt.rank() != 2 || yt.size(1) != probeR[0].length) {
                    throw new IllegalStateException("rank " + comm.rank() + "'s output is " + java.util.Arrays.toString(
                            yt.shape()) + ", expected [" + N + ", " + probeR[0].length + "]");
                }
                Tensor loss = yt.mul(Tensor.of(Nd4j.createFromArray(probeR))).sum();
                comm.resetStats();
                loss.backward();
                long bwd = comm.totalBytesSent();
                INDArray gb = layer.bias() == null ? null : layer.bias().grad();
                return new Result(yt.value().toDoubleMatrix(), layer.weight().grad().toDoubleMatrix(),
                        gb == null ? null : gb.toDoubleVector(), xt.grad() == null ? null : xt.grad().toDoubleMatrix(),
                        fwd, bwd, layer.weight().shape());
            });
        } catch (CommunicationException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            if (root instanceof UnsupportedOperationException) fail(root.getMessage());
            fail("p = " + p + ": the layer failed: " + root + (root.toString().toLowerCase().contains("shape") ? " -- a shape error usually means W was split along the "
                    + "wrong axis (or the bias not split like W's columns)" : ""), e);
            return null;
        }
    }

    static double[][] cols(double[][] a, int lo, int hi) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) out[i] = java.util.Arrays.copyOfRange(a[i], lo, hi);
        return out;
    }

    static double[][] rows(double[][] a, int lo, int hi) {
        return java.util.Arrays.copyOfRange(a, lo, hi);
    }

    static boolean same(double[][] a, double[][] b) {
        if (a == null || b == null || a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) return false;
            for (int j = 0; j < a[i].length; j++) if (Math.abs(a[i][j] - b[i][j]) > 1e-9) return false;
        }
        return true;
    }

    static boolean same(double[] a, double[] b) {
        return a != null && b != null && same(new double[][] {a}, new double[][] {b});
    }

    static String shape(double[][] a) {
        return a == null ? "null" : "[" + a.length + ", " + (a.length == 0 ? 0 : a[0].length) + "]";
    }
}
