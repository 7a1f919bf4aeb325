package org.bigmodels.pipeline;

import org.bigmodels.display.Bar;

/**
 * One recorded interval of a pipeline stage's worker: a forward or backward pass, a send, or a receive (which
 * includes the wait for the peer), with {@link System#nanoTime()} bounds. What is not covered by any event is idle.
 *
 * @param stage  the worker's rank
 * @param type   what the worker did
 * @param label  the pass ({@code F3}, {@code B3.1}) or, for messages, the pass it serves
 */
public record StageEvent(int stage, Type type, String label, long startNanos, long endNanos) {
    /** What the worker did in the interval. */
    public enum Type { FORWARD, BACKWARD, SEND, RECEIVE }

    /** Duration in seconds. */
    public double seconds() {
        return (endNanos - startNanos) / 1e9;
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
