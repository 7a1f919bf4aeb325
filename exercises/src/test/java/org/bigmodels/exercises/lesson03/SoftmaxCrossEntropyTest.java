package org.bigmodels.exercises.lesson03;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Graded(id = "03.1", points = 1, title = "loss is the mean cross-entropy")
    void lossValue() {
        INDArray z = logits(1);
        assertEquals(plainLoss(z.toDoubleMatrix(), TARGETS), SoftmaxCrossEntropy.loss(z, TARGETS), 1e-10);
    }

    @Graded(id = "03.1", points = 2, title = "gradient matches finite differences of the loss")
    void gradientMatchesFiniteDifferences() {
        INDArray z = logits(2);
        INDArray got = SoftmaxCrossEntropy.gradLogits(z, TARGETS);
        assertArrayEquals(new long[] {6, 4}, got.shape(), "shape");
        double[][] zz = z.toDoubleMatrix();
        double h = 1e-6;
        for (int n = 0; n < 6; n++) {
            for (int c = 0; c < 4; c++) {
                double keep = zz[n][c];
                zz[n][c] = keep + h;
                double plus = plainLoss(zz, TARGETS);
                zz[n][c] = keep - h;
                double minus = plainLoss(zz, TARGETS);
                zz[n][c] = keep;
                assertEquals((plus - minus) / (2 * h), got.getDouble(n, c), 1e-7, "dz[" + n + "][" + c + "]");
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
        assertArrayEquals(tz.grad().reshape(24).toDoubleVector(), got.reshape(24).toDoubleVector(), 1e-10);
    }

    @Graded(id = "03.1", points = 1, title = "rows of the gradient sum to 0; huge logits stay finite")
    void stableAndBalanced() {
        INDArray z = logits(4).addi(1000);   // exp(1000) overflows unless the row max is subtracted first
        INDArray g = SoftmaxCrossEntropy.gradLogits(z, TARGETS);
        double loss = SoftmaxCrossEntropy.loss(z, TARGETS);
        assertTrue(Double.isFinite(loss), "loss of logits near 1000 is " + loss);
        assertEquals(SoftmaxCrossEntropy.loss(logits(4), TARGETS), loss, 1e-9, "adding a constant to every logit changes nothing");
        for (int n = 0; n < 6; n++) {
            double[] row = g.getRow(n).toDoubleVector();
            double sum = 0;
            for (double v : row) {
                assertTrue(Double.isFinite(v), "gradient entry " + v);
                sum += v;
            }
            assertEquals(0.0, sum, 1e-12, "row " + n + " sums to 0 (probabilities sum to 1, minus the one-hot 1)");
        }
    }
}
