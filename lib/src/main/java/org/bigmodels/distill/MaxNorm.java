package org.bigmodels.distill;

import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.optim.ForwardingOptimizer;
import org.bigmodels.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The max-norm weight constraint of Srivastava et al. 2014 §5.1 (used with dropout, and by Hinton et al. 2015 §3's
 * "weight-constraints"): after every update of the wrapped optimizer, each unit's incoming weight vector (a column of a
 * {@link org.bigmodels.nn.Linear} weight [in, out]) whose L2 norm exceeds c is scaled back to norm c. Biases and other
 * non-matrix parameters are left alone.
 */
public final class MaxNorm extends ForwardingOptimizer {
    private final double c;

    /**
     * Wraps {@code inner}. Every rank-2 parameter is taken to be a weight [in, out] (the course's {@code Linear}
     * layout): wrap only optimizers whose matrices are laid out so.
     *
     * @throws IllegalArgumentException when inner is null or c is not positive and finite
     */
    public MaxNorm(Optimizer inner, double c) {
        super(inner, "MaxNorm");
        if (!(c > 0) || Double.isInfinite(c)) throw new IllegalArgumentException("MaxNorm: expected c > 0, got " + c);
        this.c = c;
    }

    @Override
    public void step() {
        inner.step();
        for (Tensor p : inner.parameters()) {
            INDArray w = p.value();
            if (w.rank() != 2) continue;
            INDArray norms = w.norm2(0);                     // [out]
            double largest = norms.maxNumber().doubleValue();
            if (largest <= c) continue;
            INDArray scale = norms.rdivi(c);                 // c / ||w_j||
            org.nd4j.linalg.ops.transforms.Transforms.min(scale, 1.0, false);
            w.muliRowVector(scale.castTo(w.dataType()));
        }
    }
}
