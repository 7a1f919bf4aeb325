package org.bigmodels.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam, and AdamW (decoupled weight decay). Per parameter it keeps two running averages, m of the gradient and v
 * of its square, which is why training with Adam needs three extra copies of the model's size in memory (computed
 * in 04-tiny-gpt, sharded by ZeRO in 10-memory-and-zero). One step t:
 * <pre>
 *   m = b1·m + (1-b1)·g;   v = b2·v + (1-b2)·g²
 *   w -= lr · (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)     then, AdamW only: w -= lr·wd·w
 * </pre>
 * Plain Adam with weight decay adds wd·w to g instead (L2), which interacts badly with the adaptive scaling; that is
 * the point of AdamW.
 */
public final class Adam extends AbstractOptimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private int t;
    private final Map<Tensor, INDArray[]> state = new IdentityHashMap<>();

    private Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean decoupled) {
        super(params, lr);
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adam: expected lr > 0, betas in [0, 1), eps > 0, weightDecay >= 0; got lr="
                    + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay=" + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** Adam (weight decay, if any, as L2 on the gradient). */
    public static Adam adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Adam(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    /** Adam with betas (0.9, 0.999), eps 1e-8 and no weight decay. */
    public static Adam adam(List<Tensor> params, double lr) {
        return adam(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    /** AdamW: decoupled weight decay. */
    public static Adam adamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Adam(params, lr, beta1, beta2, eps, weightDecay, true);
    }

    /** AdamW with betas (0.9, 0.999), eps 1e-8. */
    public static Adam adamW(List<Tensor> params, double lr, double weightDecay) {
        return adamW(params, lr, 0.9, 0.999, 1e-8, weightDecay);
    }

    @Override
    public void step() {
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        var blas = Nd4j.getBlasWrapper().level1();
        for (Tensor p : params) {
            INDArray g = p.grad();
            if (g == null) continue;
            INDArray w = p.value();
            long n = w.length();
            // m, v and one scratch array per parameter, made once: a step allocates nothing
            INDArray[] s = state.computeIfAbsent(p, k -> new INDArray[] {Nd4j.zerosLike(w), Nd4j.zerosLike(w), Nd4j.zerosLike(w)});
            INDArray m = s[0], v = s[1], tmp = s[2];
            if (!decoupled && weightDecay != 0) {
                g = g.add(w.mul(weightDecay)); // L2: the decay joins the gradient (and its adaptive scaling)
            }
            m.muli(beta1);
            blas.axpy(n, 1 - beta1, g, m);                 // m = b1 m + (1 - b1) g
            v.muli(beta2);
            g.mul(g, tmp);
            blas.axpy(n, 1 - beta2, tmp, v);               // v = b2 v + (1 - b2) g^2
            tmp.assign(v).divi(c2);
            Transforms.sqrt(tmp, false).addi(eps);         // sqrt(v / (1 - b2^t)) + eps
            m.div(tmp, tmp);                               // m / (...)
            if (decoupled && weightDecay != 0) w.muli(1 - lr * weightDecay);
            blas.axpy(n, -lr / c1, tmp, w);                // w -= lr * m_hat / (sqrt(v_hat) + eps)
        }
    }

    /** The number of steps taken so far. */
    public int steps() {
        return t;
    }
}
