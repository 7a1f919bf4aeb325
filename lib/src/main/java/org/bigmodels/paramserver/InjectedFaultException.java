package org.bigmodels.paramserver;

/** The crash a {@link FaultPlan} injects into a worker at a given step (a test or lesson device, not a real bug). */
public final class InjectedFaultException extends RuntimeException {
    private final int worker;
    private final int step;

    /** A fault of {@code worker} at the start of {@code step}. */
    public InjectedFaultException(int worker, int step) {
        super("injected fault: worker " + worker + " fails at the start of step " + step + " (FaultPlan)");
        this.worker = worker;
        this.step = step;
    }

    /** The worker that failed. */
    public int worker() {
        return worker;
    }

    /** The step at whose start it failed (0-based). */
    public int step() {
        return step;
    }
}
