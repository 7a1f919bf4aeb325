package org.bigmodels.exercises.lesson03;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bigmodels.engine.GradCheck;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 03.1. References: the loss by plain loops here, central finite differences of it, and the
 * engine's cross-entropy (itself checked by GradCheck).
 */
class SoftmaxCrossEntropyTest {

    static final int[] TARGETS = {2, 0, 1, 3, 3, 1};

    /** Like assertEquals, without JUnit's 16-digit "expected: <...> but was: <...>" tail: the message says it all. */
    static void near(double expected, double got, double tol, java.util.function.Supplier<String> message) {
        if (!(Math.abs(expected - got) <= tol)) {
            throw new AssertionError(message.get());
        }
    }

    static INDArray logits(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, 6, 4).muli(2);
    }

    /** Mean of -log softmax(z)[t], written directly (not stable: fine for the small logits used with it). */
    static double plainLoss(double[][] z, int[] t) {
        double total = 0;
        for (int n = 0; n < z.length; n++) {
            double sum = 0;
            for (double v : z[n]) sum += Math.exp(v);
            total += -Math.log(Math.exp(z[n][t[n]]) / sum);
        }
        return total / z.length;
    }

    static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(b));
    }

    static boolean close(double[] a, double[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (!close(a[i], b[i])) return false;
        return true;
    }

    /** Fails with a message naming the mistake when the loss is one of the known wrong variants. */
    static void diagnoseLoss(double[][] z, int[] t, double got) {
        double mean = plainLoss(z, t);
        int n = z.length;
        if (close(got, n * mean)) {
            throw new AssertionError(String.format("your loss %.6g is %d times the expected %.6g: it is the SUM over the"
                    + " %d rows; the loss is the MEAN, divide by N", got, n, mean, n));
        }
        if (close(got, -mean)) {
            throw new AssertionError(String.format("your loss %.6g is minus the expected %.6g: cross-entropy is"
                    + " -log p[target], a positive number", got, mean));
        }
    }

    /** Fails with a message naming the mistake when the gradient is one of the known wrong variants. */
    static void diagnoseGradient(double[][] z, int[] t, INDArray got) {
        int n = z.length, c = z[0].length;
        double[] expected = new double[n * c], softmax = new double[n * c];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : z[r]) max = Math.max(max, v);
            for (double v : z[r]) sum += Math.exp(v - max);
            for (int j = 0; j < c; j++) {
                softmax[r * c + j] = Math.exp(z[r][j] - max) / sum;
                expected[r * c + j] = (softmax[r * c + j] - (j == t[r] ? 1 : 0)) / n;
            }
        }
        double[] g = got.reshape(got.length()).toDoubleVector();
        double[] times = expected.clone(), neg = expected.clone(), noOneHot = softmax.clone(), noOneHotMean = softmax.clone();
        for (int i = 0; i < times.length; i++) {
            times[i] *= n;
            neg[i] = -neg[i];
            noOneHotMean[i] /= n;
        }
        if (close(g, times)) {
            throw new AssertionError("your gradient is " + n + " times too large (N = " + n + " rows): the loss is the"
                    + " MEAN over the rows, so its gradient carries the 1/N of the mean; divide by N");
        }
        if (close(g, neg)) {
            throw new AssertionError("your gradient has the wrong sign: d loss / d z = (softmax(z) - onehot(target)) / N,"
                    + " not onehot - softmax");
        }
        if (close(g, noOneHot) || close(g, noOneHotMean)) {
            throw new AssertionError("your gradient is softmax(z) itself: subtract 1 at each row's target class"
                    + " (the derivative of -log p[target])");
        }
    }

    static String fmt(double v) {
        return String.format("%.6g", v);
    }

    @Graded(id = "03.1", points = 1, title = "loss is the mean cross-entropy")
    void lossValue() {
        INDArray z = logits(1);
        double expected = plainLoss(z.toDoubleMatrix(), TARGETS);
        double got = SoftmaxCrossEntropy.loss(z, TARGETS);
        diagnoseLoss(z.toDoubleMatrix(), TARGETS, got);
        near(expected, got, 1e-10, () -> "loss is " + fmt(got) + ", expected the mean of -log softmax(z)[target]"
                + " over the rows = " + fmt(expected));
    }

    @Graded(id = "03.1", points = 2, title = "gradient matches finite differences of the loss")
    void gradientMatchesFiniteDifferences() {
        INDArray z = logits(2);
        INDArray got = SoftmaxCrossEntropy.gradLogits(z, TARGETS);
        assertArrayEquals(new long[] {6, 4}, got.shape(), "the gradient has the shape of the logits [N, C]");
        double[][] zz = z.toDoubleMatrix();
        diagnoseGradient(zz, TARGETS, got);
        double h = 1e-6;
        for (int n = 0; n < 6; n++) {
            for (int c = 0; c < 4; c++) {
                double keep = zz[n][c];
                zz[n][c] = keep + h;
                double plus = plainLoss(zz, TARGETS);
                zz[n][c] = keep - h;
                double minus = plainLoss(zz, TARGETS);
                zz[n][c] = keep;
                double fd = (plus - minus) / (2 * h);
                int nn = n, cc = c;
                near(fd, got.getDouble(n, c), 1e-7, () -> "dz[" + nn + "][" + cc + "] is "
                        + fmt(got.getDouble(nn, cc)) + " but the central finite difference of the loss gives " + fmt(fd));
            }
        }
    }

    @Graded(id = "03.1", points = 2, title = "gradient matches the engine's cross-entropy backward (GradCheck-verified)")
    void gradientMatchesEngine() {
        INDArray z = logits(3);
        INDArray targets = Nd4j.createFromArray(TARGETS);
        // the reference is only as good as the engine's backward, so check that first
        assertTrue(GradCheck.check(ps -> Ops.crossEntropy(ps.get(0), targets), z).passes(1e-6), "engine gradient check");
        Tensor tz = Tensor.param(z.dup());
        Ops.crossEntropy(tz, targets).backward();
        INDArray got = SoftmaxCrossEntropy.gradLogits(z, TARGETS);
        assertArrayEquals(new long[] {6, 4}, got.shape(), "the gradient has the shape of the logits [N, C]");
        diagnoseGradient(z.toDoubleMatrix(), TARGETS, got);
        double[] e = tz.grad().reshape(24).toDoubleVector(), g = got.reshape(24).toDoubleVector();
        for (int i = 0; i < 24; i++) {
            int ii = i;
            near(e[i], g[i], 1e-10, () -> "dz[" + ii / 4 + "][" + ii % 4 + "] is " + fmt(g[ii])
                    + " but the engine's cross-entropy backward gives " + fmt(e[ii]));
        }
    }

    @Graded(id = "03.1", points = 1, title = "rows of the gradient sum to 0; huge logits stay finite")
    void stableAndBalanced() {
        INDArray z = logits(4).addi(1000);   // exp(1000) overflows unless the row max is subtracted first
        INDArray g = SoftmaxCrossEntropy.gradLogits(z, TARGETS);
        double loss = SoftmaxCrossEntropy.loss(z, TARGETS);
        assertTrue(Double.isFinite(loss), "loss of logits near 1000 is " + loss + ": exp(1000) overflows; subtract"
                + " each row's max before exp (softmax does not change)");
        double plain = SoftmaxCrossEntropy.loss(logits(4), TARGETS);
        near(plain, loss, 1e-9, () -> "adding 1000 to every logit changed the loss from " + fmt(plain) + " to "
                + fmt(loss) + "; softmax is unchanged by a constant shift, so the loss must be too");
        for (int n = 0; n < 6; n++) {
            double[] row = g.getRow(n).toDoubleVector();
            double sum = 0;
            for (double v : row) {
                assertTrue(Double.isFinite(v), "gradient entry " + v + " for logits near 1000: subtract each row's max"
                        + " before exp");
                sum += v;
            }
            double total = sum;
            int rowIndex = n;
            near(0.0, sum, 1e-12, () -> "row " + rowIndex + " of the gradient sums to " + fmt(total) + ", not 0: softmax"
                    + " sums to 1 and the one-hot target subtracts exactly 1 (divided by N)");
        }
    }
}
