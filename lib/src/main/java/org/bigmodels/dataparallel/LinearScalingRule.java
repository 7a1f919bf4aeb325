package org.bigmodels.dataparallel;

import org.bigmodels.optim.LrSchedule;

/**
 * The large-batch recipe of Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017: when
 * the minibatch is multiplied by k (k = global batch / reference batch; with W data-parallel workers of b examples
 * each, the global batch is W·b), multiply the learning rate by k (section 2.1, the linear scaling rule), and reach
 * that rate by a gradual warmup, rising linearly from the reference rate to k times it over the first steps (section
 * 2.2), because the scaled rate is too large while the weights change fast. Taught in 05-data-parallel.
 */
public final class LinearScalingRule {
    private LinearScalingRule() {
    }

    /**
     * k = globalBatch / referenceBatch (a real number: any batch sizes).
     *
     * @throws IllegalArgumentException unless both batch sizes are positive
     */
    public static double factor(int referenceBatch, int globalBatch) {
        if (referenceBatch <= 0 || globalBatch <= 0) {
            throw new IllegalArgumentException("LinearScalingRule: expected positive batch sizes, got reference "
                    + referenceBatch + " and global " + globalBatch);
        }
        return (double) globalBatch / referenceBatch;
    }

    /**
     * The schedule for the global batch: {@code reference} (the schedule tuned for {@code referenceBatch}, per step)
     * multiplied by a factor that rises linearly from 1 at step 0 to k at step {@code warmupSteps}, and is k after:
     * lr(s) = reference(s) · (1 + (k − 1) · min(s, warmup) / warmup). {@code warmupSteps} = 0 scales at once.
     *
     * @throws IllegalArgumentException for non-positive batch sizes or a negative warmup
     */
    public static LrSchedule scaled(LrSchedule reference, int referenceBatch, int globalBatch, int warmupSteps) {
        if (reference == null) throw new IllegalArgumentException("LinearScalingRule: expected a reference schedule");
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("LinearScalingRule: expected warmupSteps >= 0, got " + warmupSteps);
        }
        double k = factor(referenceBatch, globalBatch);
        return step -> {
            double ramp = warmupSteps == 0 ? 1.0 : Math.min(step, warmupSteps) / (double) warmupSteps;
            return reference.at(step) * (1 + (k - 1) * ramp);
        };
    }

    /** {@link #scaled} of a constant reference rate {@code referenceLr}: from referenceLr to k·referenceLr. */
    public static LrSchedule warmup(double referenceLr, int referenceBatch, int globalBatch, int warmupSteps) {
        return scaled(LrSchedule.constant(referenceLr), referenceBatch, globalBatch, warmupSteps);
    }
}
