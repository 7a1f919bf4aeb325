package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bigmodels.display.Bar;

/**
 * What one pipeline step measured: the loss (mean over the batch), every stage's timeline (wall clock and thread CPU
 * time per interval), and each stage's peak activation memory.
 *
 * @param loss                the batch's mean loss (Σ over micro-batches of loss/m), as computed on the last stage
 * @param events              every recorded interval of every stage, in no particular order
 * @param peakActivationBytes per stage, the largest number of bytes held at once by the activations of forwarded
 *                            micro-batches awaiting their backward (the arrays of their graphs, parameters excluded)
 * @param peakInFlight        per stage, the largest number of (micro-batch, chunk) activations held at once
 */
public record PipelineResult(double loss, List<StageEvent> events, long[] peakActivationBytes, int[] peakInFlight) {

    /** The number of stages. */
    public int stages() {
        return peakInFlight.length;
    }

    /** First start of any event, ns. */
    public long originNanos() {
        return events.stream().mapToLong(StageEvent::startNanos).min().orElse(0);
    }

    /** From the first event's start to the last one's end, in seconds. */
    public double makespanSeconds() {
        long end = events.stream().mapToLong(StageEvent::endNanos).max().orElse(0);
        return (end - originNanos()) / 1e9;
    }

    /** Seconds stage {@code stage} spent in events of {@code type}. */
    public double seconds(int stage, StageEvent.Type type) {
        return events.stream().filter(e -> e.stage() == stage && e.type() == type).mapToDouble(StageEvent::seconds).sum();
    }

    /** Seconds stage {@code stage} spent computing (forward + backward). */
    public double computeSeconds(int stage) {
        return seconds(stage, StageEvent.Type.FORWARD) + seconds(stage, StageEvent.Type.BACKWARD);
    }

    /**
     * The CPU seconds stage {@code stage}'s thread spent in events of {@code type} (NaN when not measured): unlike
     * {@link #seconds(int, StageEvent.Type)}, it does not grow when the stage waits for a core.
     */
    public double cpuSeconds(int stage, StageEvent.Type type) {
        return events.stream().filter(e -> e.stage() == stage && e.type() == type).mapToDouble(StageEvent::cpuSeconds).sum();
    }

    /** The CPU seconds stage {@code stage}'s thread spent in forward and backward passes: the work the stage computes. */
    public double computeCpuSeconds(int stage) {
        return cpuSeconds(stage, StageEvent.Type.FORWARD) + cpuSeconds(stage, StageEvent.Type.BACKWARD);
    }

    /** The largest {@link #computeSeconds(int)} over the stages (wall clock), seconds. */
    public double busiestComputeSeconds() {
        double m = 0;
        for (int s = 0; s < stages(); s++) m = Math.max(m, computeSeconds(s));
        return m;
    }

    /**
     * The largest {@link #computeCpuSeconds(int)} over the stages, seconds: the work on the critical stage, which sets
     * the pipeline's pace when every stage has a core of its own.
     */
    public double busiestComputeCpuSeconds() {
        double m = 0;
        for (int s = 0; s < stages(); s++) m = Math.max(m, computeCpuSeconds(s));
        return m;
    }

    /**
     * Σ compute CPU time / Σ compute wall time over all stages: the share of a core the passes had while they ran
     * (1 when every stage thread had a core of its own, about 0.5 when two stages shared one core).
     */
    public double coreShare() {
        double cpu = 0, wall = 0;
        for (int s = 0; s < stages(); s++) {
            cpu += computeCpuSeconds(s);
            wall += computeSeconds(s);
        }
        return cpu / wall;
    }

    /** The makespan minus the stage's compute, send and receive time, in seconds (never below 0). */
    public double idleSeconds(int stage) {
        double used = computeSeconds(stage) + seconds(stage, StageEvent.Type.SEND) + seconds(stage, StageEvent.Type.RECEIVE);
        return Math.max(0, makespanSeconds() - used);
    }

    /** Measured bubble: 1 - Σ compute / (p · makespan), the fraction of stage time not spent computing. */
    public double bubble() {
        double compute = 0;
        for (int s = 0; s < stages(); s++) compute += computeSeconds(s);
        return 1 - compute / (stages() * makespanSeconds());
    }

    /** The compute intervals as timeline bars (ms since the first event), lane per stage, sorted by start. */
    public List<Bar> computeBars() {
        long origin = originNanos();
        List<Bar> out = new ArrayList<>();
        events.stream().filter(StageEvent::isCompute).sorted(Comparator.comparingLong(StageEvent::startNanos))
                .forEach(e -> out.add(e.toBar(origin)));
        out.sort(Comparator.comparing(Bar::lane));
        return out;
    }

    /** The largest of {@link #peakActivationBytes()}. */
    public long maxActivationBytes() {
        long m = 0;
        for (long b : peakActivationBytes) m = Math.max(m, b);
        return m;
    }
}
