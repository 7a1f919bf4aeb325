package org.bigmodels.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.bigmodels.engine.Tensor;
import org.bigmodels.optim.ForwardingOptimizer;
import org.bigmodels.optim.Optimizer;
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
public final class MaskedOptimizer extends ForwardingOptimizer {
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
        super(checkArguments(inner, masks), "MaskedOptimizer");
        java.util.Set<Tensor> own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        own.addAll(inner.parameters());
        for (String name : masks.names()) {
            if (!own.contains(masks.model().parameter(name))) {
                throw new IllegalArgumentException("MaskedOptimizer: the masked parameter '" + name + "' is not one "
                        + "of the optimizer's parameters, so it would never be updated; build the optimizer from the "
                        + "pruned model's parameters (model.parameters())");
            }
        }
        this.masks = masks;
    }

    private static Optimizer checkArguments(Optimizer inner, PruningMasks masks) {
        if (inner == null || masks == null) {
            throw new IllegalArgumentException("MaskedOptimizer: expected an optimizer and masks, got "
                    + (inner == null ? "no optimizer" : "no masks"));
        }
        return inner;
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
}
