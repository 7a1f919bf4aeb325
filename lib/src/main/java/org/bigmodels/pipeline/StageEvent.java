package org.bigmodels.pipeline;

import org.bigmodels.display.Bar;

/**
 * One recorded interval of a pipeline stage's worker: a forward or backward pass, a send, or a receive (which
 * includes the wait for the peer), with {@link System#nanoTime()} bounds. What is not covered by any event is idle.
 *
 * <p>Two durations: the wall-clock one ({@link #seconds()}), which grows when the worker's thread waits for a core
 * (two stages sharing one core, other programs), and the worker thread's CPU time in the interval
 * ({@link #cpuSeconds()}, from {@link java.lang.management.ThreadMXBean#getCurrentThreadCpuTime()}): what the pass
 * itself computed, the same whether or not it had a core to itself. It counts the stage's own thread only, not BLAS
 * or OpenMP helper threads (with OMP_NUM_THREADS > 1 it is the calling thread's share of the work).
 *
 * @param stage     the worker's rank
 * @param type      what the worker did
 * @param label     the pass ({@code F3}, {@code B3.1}) or, for messages, the pass it serves
 * @param cpuNanos  the worker thread's CPU time in the interval, ns; -1 when not measured (the JVM cannot give it)
 */
public record StageEvent(int stage, Type type, String label, long startNanos, long endNanos, long cpuNanos) {
    /** What the worker did in the interval. */
    public enum Type { FORWARD, BACKWARD, SEND, RECEIVE }

    /** An interval whose thread CPU time was not measured ({@link #cpuSeconds()} is NaN). */
    public StageEvent(int stage, Type type, String label, long startNanos, long endNanos) {
        this(stage, type, label, startNanos, endNanos, -1);
    }

    /** Duration in seconds (wall clock). */
    public double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** The worker thread's CPU time in the interval, seconds; NaN when not measured. */
    public double cpuSeconds() {
        return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e9;
    }

    /**
     * The current thread's CPU time in ns, or -1 when this JVM does not measure it: take it before and after an
     * interval and pass the difference as {@code cpuNanos} (see {@link #cpuBetween}).
     */
    public static long threadCpuNanos() {
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!bean.isCurrentThreadCpuTimeSupported() || !bean.isThreadCpuTimeEnabled()) return -1;
        return bean.getCurrentThreadCpuTime();
    }

    /** {@code end - start} of two {@link #threadCpuNanos()} readings, or -1 when either is unmeasured. */
    public static long cpuBetween(long start, long end) {
        return start < 0 || end < 0 ? -1 : end - start;
    }

    /** True for forward and backward passes. */
    public boolean isCompute() {
        return type == Type.FORWARD || type == Type.BACKWARD;
    }

    /**
     * A bar for {@link org.bigmodels.display.Plots#timeline}, in milliseconds since {@code originNanos}, on lane
     * "stage d"; compute bars are labelled {@code F3}/{@code B3}, messages {@code s}/{@code r} + micro-batch.
     */
    public Bar toBar(long originNanos) {
        String l = isCompute() ? label : (type == Type.SEND ? "s" : "r") + label.replaceAll("[^0-9.]", "");
        return new Bar("stage " + stage, (startNanos - originNanos) / 1e6, (endNanos - originNanos) / 1e6, l);
    }
}
