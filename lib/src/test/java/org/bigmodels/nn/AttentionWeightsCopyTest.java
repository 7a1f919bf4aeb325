package org.bigmodels.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Review finding 12: {@code lastAttentionWeights()} returns a copy; scaling it for a plot (to percent) must not change
 * the gradients, fused path (dropout 0) or composed path (dropout 0.1). The reference is the same run without touching
 * the weights; the returned rows are probabilities (each row sums to 1, the future is 0).
 */
class AttentionWeightsCopyTest {

    static INDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        double[] d = new double[(int) (shape[0] * shape[1] * shape[2])];
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian();
        return Nd4j.create(d, shape, 'c').castTo(DataType.FLOAT);
    }

    @Test
    void scalingTheReturnedWeightsChangesNoGradient() {
        for (double dropout : new double[] {0.0, 0.1}) {
            double[][] grads = new double[2][];
            for (int run = 0; run < 2; run++) {
                var att = new CausalSelfAttention(6, 2, dropout, DataType.FLOAT, Init.rng(3));
                att.train(dropout > 0);
                Nd4j.getRandom().setSeed(5);
                Tensor x = Tensor.param(random(8, 1, 4, 6));
                Tensor y = att.forward(x);
                INDArray w = att.lastAttentionWeights();
                for (int h = 0; h < 2; h++) {
                    for (int i = 0; i < 4; i++) {
                        double sum = 0;
                        for (int j = 0; j < 4; j++) {
                            double p = w.getDouble(0, h, i, j);
                            if (j > i) assertEquals(0.0, p, 0.0, "the future has weight 0");
                            sum += p;
                        }
                        assertEquals(1.0, sum, 1e-6, "row " + i + " of head " + h);
                    }
                }
                if (run == 1) w.muli(100); // shown as percentages
                y.mul(Tensor.of(random(9, 1, 4, 6))).sum().backward();
                grads[run] = x.grad().dup('c').reshape(24).toDoubleVector();
            }
            assertArrayEquals(grads[0], grads[1], 0.0, "dropout " + dropout + ": scaling lastAttentionWeights() "
                    + "changed dL/dx (the live array backward reads was returned)");
        }
    }
}
