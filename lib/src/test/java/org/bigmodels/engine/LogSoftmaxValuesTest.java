package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 5 of issue 6: log-softmax (and softmax) forward values for entries far below their row's maximum,
 * checked against a plain double loop, in float and in double.
 */
class LogSoftmaxValuesTest {

    /** The reference: per row, x - max - log(sum(exp(x - max))) in double. */
    static double[][] logSoftmaxRef(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : x[i]) max = Math.max(max, v);
            for (double v : x[i]) sum += Math.exp(v - max);
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) out[i][j] = x[i][j] - max - Math.log(sum);
        }
        return out;
    }

    static double[][] rows() {
        Random r = new Random(5);
        double[][] x = new double[8][];
        x[0] = new double[] {0, -120};
        x[1] = new double[] {0, -800, -2000};             // beyond double's exp underflow (-745)
        x[2] = new double[] {1000, 999, -1000};           // beyond exp overflow if the max were not subtracted
        x[3] = new double[] {-1e4, -1e4 - 3, -1e4 + 1};   // all far below 0
        x[4] = new double[] {3, 3, 3, 3};
        x[5] = new double[] {50, -50, 0, 25, -88, -104};
        x[6] = new double[7];
        x[7] = new double[7];
        for (int j = 0; j < 7; j++) {
            x[6][j] = 40 * r.nextGaussian();
            x[7][j] = r.nextGaussian();
        }
        return x;
    }

    static void check(double[][] x, DataType type, boolean log) {
        double tol = type == DataType.FLOAT ? 2e-6 : 1e-13;
        for (int i = 0; i < x.length; i++) {
            double[] row = x[i];
            if (type == DataType.FLOAT) {
                for (int j = 0; j < row.length; j++) row[j] = (float) row[j]; // the reference sees the float inputs
            }
            INDArray in = Nd4j.createFromArray(new double[][] {row}).castTo(type);
            INDArray got = (log ? Tensor.of(in).logSoftmax() : Tensor.of(in).softmax()).value();
            assertEquals(type, got.dataType());
            double[] ref = logSoftmaxRef(new double[][] {row})[0];
            for (int j = 0; j < row.length; j++) {
                double want = log ? ref[j] : Math.exp(ref[j]);
                double g = got.getDouble(0, j);
                assertTrue(Double.isFinite(g), (log ? "logSoftmax" : "softmax") + " of " + java.util.Arrays.toString(row)
                        + " in " + type + ": entry " + j + " is " + g + ", expected " + want);
                assertEquals(want, g, tol * Math.max(1, Math.abs(want)),
                        (log ? "logSoftmax" : "softmax") + " " + type + " row " + i + " entry " + j);
            }
        }
    }

    @Test
    void logSoftmaxOfEntriesFarBelowTheMaximumIsTheirDistanceNotMinusInfinity() {
        check(rows(), DataType.FLOAT, true);
        check(rows(), DataType.DOUBLE, true);
        INDArray d = Tensor.of(Nd4j.createFromArray(new double[][] {{0, -120}})).logSoftmax().value();
        assertEquals(-Math.exp(-120), d.getDouble(0, 0), 1e-60, "log(1 + e^-120) = -7.66e-53 survives in double");
        assertEquals(-120, d.getDouble(0, 1), 0.0);
        INDArray f = Tensor.of(Nd4j.createFromArray(new float[][] {{0f, -120f}})).logSoftmax().value();
        assertEquals(-120f, f.getFloat(0, 1), 0f, "float logits [0, -120]");
    }

    @Test
    void softmaxMatchesThePlainLoopIncludingExtremes() {
        check(rows(), DataType.FLOAT, false);
        check(rows(), DataType.DOUBLE, false);
    }

    @Test
    void higherRankAndNonContiguousInputsAreReducedOverTheirLastAxis() {
        INDArray base = Nd4j.rand(DataType.DOUBLE, 3, 5, 4).muli(300).subi(150);
        INDArray view = base.permute(0, 2, 1); // [3, 4, 5], not row-major
        INDArray got = Tensor.of(view).logSoftmax().value();
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 4; b++) {
                double[] row = new double[5];
                for (int c = 0; c < 5; c++) row[c] = base.getDouble(a, c, b);
                double[] ref = logSoftmaxRef(new double[][] {row})[0];
                for (int c = 0; c < 5; c++) assertEquals(ref[c], got.getDouble(a, b, c), 1e-12);
            }
        }
    }

    @Test
    void theLogSoftmaxGradientStaysRightAtTheExtremes() {
        var r = GradCheck.check(t -> t.get(0).logSoftmax(),
                Nd4j.createFromArray(new double[][] {{0, -120, 3}, {1000, 999, -1000}}));
        assertTrue(r.passes(1e-6), "max relative error " + r.maxRelativeError());
    }
}
