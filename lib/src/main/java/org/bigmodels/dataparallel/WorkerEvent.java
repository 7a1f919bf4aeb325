package org.bigmodels.dataparallel;

import org.bigmodels.display.Bar;

/**
 * One busy interval of a data-parallel worker, for timelines: on which rank, on which lane ({@link #COMPUTE}: forward
 * and backward on the worker's thread; {@link #COMMUNICATION}: an all-reduce, on the worker's thread or, when
 * overlapped, on its communication thread; {@link #WAIT}: the worker blocked on communication), a label ("AR 3" =
 * all-reduce of bucket 3) and when, in {@link System#nanoTime()} nanoseconds.
 */
public record WorkerEvent(int rank, String lane, String label, int step, long startNanos, long endNanos) {
    public static final String COMPUTE = "compute";
    public static final String COMMUNICATION = "comm";
    public static final String WAIT = "wait";

    /** Duration in milliseconds. */
    public double millis() {
        return (endNanos - startNanos) / 1e6;
    }

    /**
     * A bar for {@link org.bigmodels.display.Plots#timeline}, in milliseconds since {@code originNanos} (the earliest
     * start of the events drawn), on the lane "rank r compute" / "rank r comm" ({@link #WAIT} intervals on the compute
     * lane).
     */
    public Bar toBar(long originNanos) {
        String l = lane.equals(WAIT) ? COMPUTE : lane;
        return new Bar("rank " + rank + " " + l, (startNanos - originNanos) / 1e6, (endNanos - originNanos) / 1e6,
                label);
    }
}
