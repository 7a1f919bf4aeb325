package org.bigmodels.paramserver;

/**
 * Thrown to the workers of a server that stopped because worker {@link #failedWorker()} failed at step
 * {@link #step()} ({@link FailurePolicy#STOP}). The message names the worker, the step and what was abandoned.
 */
public final class WorkerFailedException extends RuntimeException {
    private final int failedWorker;
    private final int step;

    /** The failure of {@code failedWorker} at {@code step}, with its cause (for example an InjectedFaultException). */
    public WorkerFailedException(int failedWorker, int step, String message, Throwable cause) {
        super(message, cause);
        this.failedWorker = failedWorker;
        this.step = step;
    }

    /** The worker whose failure stopped the server. */
    public int failedWorker() {
        return failedWorker;
    }

    /** The step at which it failed (0-based). */
    public int step() {
        return step;
    }
}
