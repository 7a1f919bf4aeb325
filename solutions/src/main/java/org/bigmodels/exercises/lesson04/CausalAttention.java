package org.bigmodels.exercises.lesson04;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exercise 04.2 (lesson 04-tiny-gpt): causal attention for one head. Reference solution.
 */
public final class CausalAttention {

    private CausalAttention() {
    }

    public static INDArray weights(INDArray q, INDArray k) {
        int t = (int) q.rows();
        double[][] s = q.mmul(k.transpose()).divi(Math.sqrt(q.columns())).toDoubleMatrix();
        double[][] w = new double[t][t];
        for (int i = 0; i < t; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) max = Math.max(max, s[i][j]);
            double sum = 0;
            for (int j = 0; j <= i; j++) {
                w[i][j] = Math.exp(s[i][j] - max);
                sum += w[i][j];
            }
            for (int j = 0; j <= i; j++) w[i][j] /= sum;
            // j > i stays exactly 0: exp(-infinity)
        }
        return Nd4j.create(w).castTo(q.dataType());
    }

    public static INDArray attend(INDArray q, INDArray k, INDArray v) {
        return weights(q, k).mmul(v);
    }
}
