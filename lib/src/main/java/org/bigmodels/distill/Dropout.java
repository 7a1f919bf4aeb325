package org.bigmodels.distill;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Inverted dropout as a layer of a {@link org.bigmodels.nn.Sequential} (Srivastava et al. 2014): in training mode
 * each element is zeroed with probability p and the rest scaled by 1/(1 − p); in evaluation mode it is the
 * identity. Hinton et al. 2015 §3 trained their 2×1200 MNIST teacher with dropout (see {@link DistillationModels}).
 *
 * <p>The mask is drawn into one array kept by the layer and refilled at every forward (the backward of a step runs
 * before the next step's forward), and applied with {@link Ops#mul}, whose results come from the Trainer's arena: a
 * long training run then allocates nothing per step. ({@link Ops#dropout} allocates a fresh mask and result every
 * step; they are freed only when the Java heap happens to be collected, and a 30-epoch teacher on 60,000 images grew
 * past 15 GB of native memory that way.)
 */
public final class Dropout extends Module implements Layer {
    private final double p;
    private INDArray mask;

    /** @throws IllegalArgumentException when p is not in [0, 1) */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: expected p in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        long[] shape = x.value().shape();
        if (mask == null || mask.dataType() != x.value().dataType() || !java.util.Arrays.equals(mask.shape(), shape)) {
            mask = Nd4j.create(x.value().dataType(), shape);
        }
        Nd4j.rand(mask);                                   // uniform in [0, 1)
        Transforms.step(mask.subi(p), false).muli(1.0 / (1.0 - p)); // keep where u > p, scaled by 1/(1 - p)
        return Ops.mul(x, Tensor.of(mask));
    }

    /** The drop probability. */
    public double p() {
        return p;
    }
}
