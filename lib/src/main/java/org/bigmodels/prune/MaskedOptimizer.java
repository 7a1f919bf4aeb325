package org.bigmodels.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.bigmodels.engine.Tensor;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.optim.ParamGroup;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer that keeps pruned weights at zero: every {@link #step()} zeroes the pruned weights' gradients, runs the
 * wrapped optimizer, then multiplies the weights by their masks again. The last part matters: SGD's momentum and
 * Adam's moments remember gradients from before pruning and would move a pruned weight even with a zero gradient;
 * re-applying the mask after the update means no optimizer, whatever its state, revives a pruned weight (weight decay
 * of a zero weight is zero anyway). Plugs into the course {@link org.bigmodels.train.Trainer} as any optimizer does,
 * so fine-tuning needs no change to the training loop.
 *
 * <p>After each step the listeners added with {@link #onStep} are called with the number of steps taken so far; the
 * gradual pruner ({@link GradualPruner}) raises the sparsity there. Note that the Trainer measures (and clips) the
 * gradient norm before {@code step()}, so with clipping on, the pruned weights' gradients count in the norm.
 */
public final class MaskedOptimizer implements Optimizer {
    private final Optimizer inner;
    private final PruningMasks masks;
    private final List<IntConsumer> listeners = new ArrayList<>();
    private int steps;

    /**
     * Wraps {@code inner} (built over the same model's parameters) so that {@code masks} hold through its updates.
     *
     * @throws IllegalArgumentException if a masked parameter is not one of {@code inner}'s (it would never be
     *     updated, so masking it here would be a silent no-op)
     */
    public MaskedOptimizer(Optimizer inner, PruningMasks masks) {
        if (inner == null || masks == null) {
            throw new IllegalArgumentException("MaskedOptimizer: expected an optimizer and masks, got "
                    + (inner == null ? "no optimizer" : "no masks"));
        }
        java.util.Set<Tensor> own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        own.addAll(inner.parameters());
        for (String name : masks.names()) {
            if (!own.contains(masks.model().parameter(name))) {
                throw new IllegalArgumentException("MaskedOptimizer: the masked parameter '" + name + "' is not one "
                        + "of the optimizer's parameters, so it would never be updated; build the optimizer from the "
                        + "pruned model's parameters (model.parameters())");
            }
        }
        this.inner = inner;
        this.masks = masks;
    }

    @Override
    public void step() {
        masks.maskGradients();
        inner.step();
        masks.apply();
        steps++;
        for (IntConsumer l : listeners) l.accept(steps);
    }

    /** Calls {@code listener} after every step with the number of steps taken (1 after the first). */
    public MaskedOptimizer onStep(IntConsumer listener) {
        listeners.add(listener);
        return this;
    }

    /** The steps taken through this wrapper. */
    public int steps() {
        return steps;
    }

    /** The masks held through the updates. */
    public PruningMasks masks() {
        return masks;
    }

    /** The wrapped optimizer. */
    public Optimizer inner() {
        return inner;
    }

    @Override
    public void zeroGrad() {
        inner.zeroGrad();
    }

    @Override
    public List<Tensor> parameters() {
        return inner.parameters();
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return inner.paramGroups();
    }

    @Override
    public double learningRate() {
        return inner.learningRate();
    }

    @Override
    public void setLearningRate(double lr) {
        inner.setLearningRate(lr);
    }

    @Override
    public Map<String, INDArray> state(Map<String, Tensor> namedParameters) {
        return inner.state(namedParameters);
    }

    @Override
    public void loadState(Map<String, INDArray> state, Map<String, Tensor> namedParameters) {
        inner.loadState(state, namedParameters);
    }
}
