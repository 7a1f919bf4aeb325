package org.bigmodels.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic gradient descent with optional momentum and weight decay (L2, added to the gradient):
 * {@code g' = g + wd·w;  v = mu·v + g';  w -= lr·v} (PyTorch's form; with mu = 0 it is plain {@code w -= lr·g'}).
 * Updates are in place, so no array is allocated per step.
 */
public final class SGD extends AbstractOptimizer {
    private final double momentum;
    private final double weightDecay;
    private final Map<Tensor, INDArray> velocity = new IdentityHashMap<>();

    public SGD(List<Tensor> params, double lr, double momentum, double weightDecay) {
        super(params, lr);
        if (!(lr > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("SGD: expected lr > 0, 0 <= momentum < 1, weightDecay >= 0; got lr="
                    + lr + ", momentum=" + momentum + ", weightDecay=" + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0);
    }

    @Override
    public void step() {
        for (Tensor p : params) {
            INDArray g = p.grad();
            if (g == null) continue;
            INDArray w = p.value();
            if (weightDecay != 0) g = g.add(w.mul(weightDecay)); // a new array: the gradient itself stays as backward left it
            if (momentum != 0) {
                INDArray v = velocity.get(p);
                if (v == null) {
                    velocity.put(p, v = g.dup());
                } else {
                    v.muli(momentum).addi(g);
                }
                g = v;
            }
            Nd4j.getBlasWrapper().level1().axpy(w.length(), -lr, g, w); // w -= lr * g, in place
        }
    }
}
