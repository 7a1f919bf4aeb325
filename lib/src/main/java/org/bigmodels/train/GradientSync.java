package org.bigmodels.train;

import java.util.List;
import org.bigmodels.engine.Tensor;

/**
 * A step of the {@link Trainer} between backward and the optimizer update that makes the gradients of several model
 * replicas agree: data parallelism plugs in here (org.bigmodels.dataparallel: one all-reduce per parameter, bucketed,
 * overlapped with backward), so there is one training loop for one worker and for many. Per step the Trainer calls
 * {@link #beforeStep} after clearing the gradients and before the forward pass, then {@link #synchronize} after
 * backward and before gradient clipping and {@code optimizer.step()} (PyTorch's DistributedDataParallel does the same
 * work inside backward, Li et al., "PyTorch Distributed", VLDB 2020).
 */
public interface GradientSync {

    /** Called at the start of global step {@code step}, before the forward pass (default: nothing). */
    default void beforeStep(int step) {
    }

    /**
     * Called after backward: on return, each of {@code parameters} (the optimizer's) holds the gradient every replica
     * will apply (for data parallelism, the mean over the replicas). Every replica must call it at the same step.
     *
     * @throws RuntimeException when the replicas cannot agree (a peer failed, a time-out); the step is then not taken
     */
    void synchronize(List<Tensor> parameters);
}
