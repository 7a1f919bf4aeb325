package org.bigmodels.exercises.lesson03;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercise 03.1 (lesson 03-mlp-mnist): the gradient of softmax cross-entropy. Reference solution.
 */
public final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {
    }

    public static double loss(INDArray logits, int[] targets) {
        long n = logits.rows();
        double total = 0;
        for (int r = 0; r < n; r++) {
            double[] z = logits.getRow(r).toDoubleVector();
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) max = Math.max(max, v);
            double sum = 0;
            for (double v : z) sum += Math.exp(v - max);
            total += max + Math.log(sum) - z[targets[r]];
        }
        return total / n;
    }

    public static INDArray gradLogits(INDArray logits, int[] targets) {
        long n = logits.rows();
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(n, 1));
        INDArray e = Transforms.exp(shifted, false);
        INDArray softmax = e.divColumnVector(e.sum(1).reshape(n, 1));
        for (int r = 0; r < n; r++) {
            softmax.putScalar(r, targets[r], softmax.getDouble(r, targets[r]) - 1.0);
        }
        return softmax.divi(n);
    }
}
