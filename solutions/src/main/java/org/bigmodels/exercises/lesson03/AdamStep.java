package org.bigmodels.exercises.lesson03;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercise 03.2 (lesson 03-mlp-mnist): one step of Adam, written out. Reference solution.
 */
public final class AdamStep {

    private AdamStep() {
    }

    public record Result(INDArray w, INDArray m, INDArray v) {
    }

    public static Result step(INDArray w, INDArray g, INDArray m, INDArray v, int t, double lr, double beta1,
                              double beta2, double eps) {
        INDArray m2 = m.mul(beta1).addi(g.mul(1 - beta1));
        INDArray v2 = v.mul(beta2).addi(g.mul(g).muli(1 - beta2));
        INDArray mHat = m2.div(1 - Math.pow(beta1, t));
        INDArray vHat = v2.div(1 - Math.pow(beta2, t));
        INDArray update = mHat.divi(Transforms.sqrt(vHat, false).addi(eps)).muli(lr);
        return new Result(w.sub(update), m2, v2);
    }
}
