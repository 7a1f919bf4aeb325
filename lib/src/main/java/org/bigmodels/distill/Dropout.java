package org.bigmodels.distill;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Module;

/**
 * Inverted dropout as a layer of a {@link org.bigmodels.nn.Sequential} (Srivastava et al. 2014): in training mode
 * each element is zeroed with probability p and the rest scaled by 1/(1 − p); in evaluation mode it is the
 * identity. Hinton et al. 2015 §3 trained their 2×1200 MNIST teacher with dropout (see {@link DistillationModels}).
 */
public final class Dropout extends Module implements Layer {
    private final double p;

    /** @throws IllegalArgumentException when p is not in [0, 1) */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: expected p in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return isTraining() ? Ops.dropout(x, p) : x;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }
}
