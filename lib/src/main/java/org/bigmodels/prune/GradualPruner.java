package org.bigmodels.prune;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradual magnitude pruning during training (Zhu and Gupta 2017, section 3): at every pruning step of a
 * {@link CubicSparsitySchedule} the masks are recomputed at the scheduled sparsity from the current weights (the
 * smallest |w| go; weights pruned before are zero, so they rank first and stay pruned), and the training in between
 * lets the network recover. Attach it to a {@link MaskedOptimizer} with {@link #attach}; the Trainer then runs it.
 */
public final class GradualPruner {
    private final PruningMasks masks;
    private final List<String> names;
    private final CubicSparsitySchedule schedule;
    private final boolean global;
    private double current = -1;

    /**
     * @param names  the weights to prune (dotted parameter names)
     * @param global true: one global ranking over all names; false: each layer at the scheduled sparsity
     * @throws IllegalArgumentException for an unknown name
     */
    public GradualPruner(PruningMasks masks, List<String> names, CubicSparsitySchedule schedule, boolean global) {
        for (String n : names) MagnitudePruning.weight(masks.model(), n);
        this.masks = masks;
        this.names = List.copyOf(names);
        this.schedule = schedule;
        this.global = global;
    }

    /** Prunes at step 0's sparsity now and then after every optimizer step, as the schedule says. */
    public MaskedOptimizer attach(MaskedOptimizer optimizer) {
        if (optimizer.masks() != masks) {
            throw new IllegalArgumentException("GradualPruner.attach: the optimizer holds other masks than this pruner's");
        }
        pruneAt(0);
        return optimizer.onStep(this::pruneAt);
    }

    /** Recomputes and applies the masks if {@code step} is a pruning step (returns whether it pruned). */
    public boolean pruneAt(int step) {
        if (!schedule.pruningStep(step)) return false;
        double s = schedule.at(step);
        if (s == current) return false;
        Map<String, INDArray> m = global
                ? MagnitudePruning.global(masks.model(), names, s)
                : MagnitudePruning.layerwise(masks.model(), names, s);
        masks.setAll(m);
        masks.apply();
        current = s;
        return true;
    }

    /** The sparsity of the last pruning (-1 before the first). */
    public double current() {
        return current;
    }
}
