package org.bigmodels.paramserver;

import java.util.ArrayList;
import java.util.List;

/**
 * Which worker fails or straggles at which step: an immutable list of faults that a worker loop consults with
 * {@link #beforeStep(int, int)} at the start of every step. Used by the parameter-server workers
 * ({@link ServerTrainingRun}) and meant for the data-parallel trainers too, so a lesson can kill or slow a worker on
 * purpose and tests can check that no update is lost or applied twice.
 *
 * <pre>{@code FaultPlan plan = FaultPlan.none().straggleAt(1, 3, 200).failAt(2, 5);}</pre>
 *
 * Steps are 0-based; a failure happens before the worker pulls or computes anything for that step.
 */
public final class FaultPlan {
    /** What happens to the worker. */
    public enum Kind { FAIL, STRAGGLE }

    /** One fault: {@code worker} at the start of {@code step}; {@code millis} of sleep for a straggler. */
    public record Fault(int worker, int step, Kind kind, long millis) {}

    /** The longest straggle accepted, in milliseconds: a plan must never make a test hang. */
    public static final long MAX_STRAGGLE_MILLIS = 60_000;

    private final List<Fault> faults;

    private FaultPlan(List<Fault> faults) {
        this.faults = List.copyOf(faults);
    }

    /** No faults. */
    public static FaultPlan none() {
        return new FaultPlan(List.of());
    }

    /**
     * This plan plus: {@code worker} throws an {@link InjectedFaultException} at the start of {@code step}.
     *
     * @throws IllegalArgumentException if worker or step is negative
     */
    public FaultPlan failAt(int worker, int step) {
        return with(new Fault(check(worker, "worker"), check(step, "step"), Kind.FAIL, 0));
    }

    /**
     * This plan plus: {@code worker} sleeps {@code millis} ms at the start of {@code step} (a straggler).
     *
     * @throws IllegalArgumentException if worker or step is negative, or millis outside [0, MAX_STRAGGLE_MILLIS]
     */
    public FaultPlan straggleAt(int worker, int step, long millis) {
        if (millis < 0 || millis > MAX_STRAGGLE_MILLIS) {
            throw new IllegalArgumentException("FaultPlan.straggleAt: millis must be in [0, " + MAX_STRAGGLE_MILLIS
                    + "], got " + millis);
        }
        return with(new Fault(check(worker, "worker"), check(step, "step"), Kind.STRAGGLE, millis));
    }

    /** The faults, in the order added. */
    public List<Fault> faults() {
        return faults;
    }

    /** True if {@code worker} is planned to fail at {@code step}. */
    public boolean failsAt(int worker, int step) {
        for (Fault f : faults) if (f.worker == worker && f.step == step && f.kind == Kind.FAIL) return true;
        return false;
    }

    /**
     * Called by a worker at the start of each step: sleeps for every straggle planned for (worker, step), then throws
     * if a failure is planned. An interrupted sleep ends early and keeps the thread's interrupt flag.
     *
     * @throws InjectedFaultException if {@code worker} is planned to fail at {@code step}
     */
    public void beforeStep(int worker, int step) {
        for (Fault f : faults) {
            if (f.worker == worker && f.step == step && f.kind == Kind.STRAGGLE) {
                try {
                    Thread.sleep(f.millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (failsAt(worker, step)) throw new InjectedFaultException(worker, step);
    }

    private FaultPlan with(Fault f) {
        List<Fault> list = new ArrayList<>(faults);
        list.add(f);
        return new FaultPlan(list);
    }

    private static int check(int value, String what) {
        if (value < 0) throw new IllegalArgumentException("FaultPlan: " + what + " must be >= 0, got " + value);
        return value;
    }

    @Override
    public String toString() {
        return "FaultPlan" + faults;
    }
}
