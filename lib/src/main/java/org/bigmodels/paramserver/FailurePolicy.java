package org.bigmodels.paramserver;

/**
 * What a synchronous (or bounded-staleness) parameter server does when a worker fails.
 *
 * <ul>
 *   <li>{@link #STOP} (the default): the step in progress is abandoned (its gradients are counted as abandoned, none is
 *       applied), and every worker's next wait fails with a {@link WorkerFailedException} naming the failed worker.
 *       The default because continuing silently changes the job: the effective batch shrinks, the failed worker's
 *       shard of the data is never seen again, and the result no longer equals the single-worker reference. That is
 *       also what PyTorch DDP and NCCL do; elastic training is opt-in there too.</li>
 *   <li>{@link #CONTINUE_WITH_SURVIVORS}: the failed worker leaves the group; the step in progress is completed with
 *       the gradients received (averaged over their number), later steps with the survivors.</li>
 * </ul>
 * An asynchronous server never waits for anyone, so a failure only removes that worker; the policy does not apply.
 */
public enum FailurePolicy {
    STOP, CONTINUE_WITH_SURVIVORS
}
