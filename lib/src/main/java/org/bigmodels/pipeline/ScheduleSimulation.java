package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bigmodels.display.Bar;

/**
 * Checks a {@link PipelineSchedule} and runs it on paper: every stage takes {@code forwardTime} per forward and
 * {@code backwardTime} per backward of a whole stage (a chunk of an interleaved schedule takes 1/v of it),
 * messages are free, and each pass starts as soon as its stage is free and its inputs exist. Gives the makespan,
 * each stage's busy time, the bubble (idle fraction) and each stage's peak number of micro-batches in flight
 * (forwarded, not yet backwarded: the activations it must hold). With equal stages GPipe and 1F1B give exactly
 * (p-1)/(m+p-1) (Huang et al. 2019; Narayanan et al. 2021, section 2.2).
 *
 * @param makespan     time from the first pass's start to the last pass's end, in the units of the pass times
 * @param busy         per stage, the time spent in passes
 * @param bubble       1 - Σ busy / (p · makespan)
 * @param peakInFlight per stage, the largest number of (micro-batch, chunk) activations held at once
 * @param bars         every pass as a timeline bar, lane "stage d"
 */
public record ScheduleSimulation(double makespan, double[] busy, double bubble, int[] peakInFlight, List<Bar> bars) {

    /** The bubble fraction of GPipe and 1F1B with p equal stages and m micro-batches: (p-1)/(m+p-1). */
    public static double bubbleFormula(int stages, int microBatches) {
        PipelineSchedule.checkSizes("bubbleFormula", stages, microBatches);
        return (stages - 1.0) / (microBatches + stages - 1.0);
    }

    /**
     * The bubble fraction of interleaved 1F1B with v chunks per stage: ((p-1)/v) / (m + (p-1)/v) (Narayanan et al.
     * 2021, section 2.2.2), for m a multiple of p; v = 1 gives {@link #bubbleFormula(int, int)}.
     */
    public static double interleavedBubbleFormula(int stages, int microBatches, int chunks) {
        PipelineSchedule.checkSizes("interleavedBubbleFormula", stages, microBatches);
        double idle = (stages - 1.0) / chunks;
        return idle / (microBatches + idle);
    }

    /**
     * Checks {@code schedule} for p stages and m micro-batches and simulates it with forward and backward times 1
     * and 2 (a backward costs about twice a forward: two products per product).
     */
    public static ScheduleSimulation of(PipelineSchedule schedule, int stages, int microBatches) {
        return of(schedule, stages, microBatches, 1.0, 2.0);
    }

    /**
     * Checks {@code schedule} for p stages and m micro-batches and simulates it.
     *
     * @param forwardTime  a stage's forward time for one micro-batch, > 0
     * @param backwardTime a stage's backward time for one micro-batch, > 0
     * @throws IllegalArgumentException naming the stage and pass when a stage's list misses or repeats a pass, names
     *                                  a chunk or micro-batch out of range, or the order would deadlock
     */
    public static ScheduleSimulation of(PipelineSchedule schedule, int stages, int microBatches, double forwardTime,
                                        double backwardTime) {
        if (!(forwardTime > 0) || !(backwardTime > 0)) {
            throw new IllegalArgumentException("ScheduleSimulation: expected pass times > 0, got forward "
                    + forwardTime + ", backward " + backwardTime);
        }
        int v = schedule.chunks();
        return simulate(schedule, stages, microBatches, (d, op) -> (op.isForward() ? forwardTime : backwardTime) / v);
    }

    /**
     * Replays a measured step: the same dependencies as {@link #of}, but each pass lasts what it lasted in
     * {@code measured} and messages cost nothing. Its bubble is what the schedule implies for the pass times this run
     * really had (unequal stages, passes slowed by other work on the machine); the measured bubble minus it is the
     * cost of the hand-offs between stages (messages, waking the waiting thread).
     *
     * @throws IllegalArgumentException when {@code measured} lacks a recorded pass of the schedule (a different
     *                                  schedule, p or m)
     */
    public static ScheduleSimulation replay(PipelineSchedule schedule, int stages, int microBatches,
                                            PipelineResult measured) {
        return replay(schedule, stages, microBatches, measured, StageEvent::seconds);
    }

    /**
     * Replays a measured step with each pass lasting its thread CPU time ({@link StageEvent#cpuSeconds()}) and free
     * messages: the step as it would run with a core per stage. Its bubble depends only on the work of each pass
     * (unequal stages, unequal micro-batches), not on the machine's load; {@link #replay} minus it is what waiting
     * for a core cost the passes.
     *
     * @throws IllegalArgumentException when {@code measured} lacks a recorded pass of the schedule, or its CPU times
     *                                  were not measured
     */
    public static ScheduleSimulation replayCpu(PipelineSchedule schedule, int stages, int microBatches,
                                               PipelineResult measured) {
        for (StageEvent e : measured.events()) {
            if (e.isCompute() && e.cpuNanos() < 0) {
                throw new IllegalArgumentException("ScheduleSimulation: pass " + e.label() + " on stage " + e.stage()
                        + " has no measured CPU time (this JVM does not give thread CPU time); use replay");
            }
        }
        // a pass shorter than the clock's resolution still takes some time: keep durations > 0
        return replay(schedule, stages, microBatches, measured, e -> Math.max(e.cpuSeconds(), 1e-9));
    }

    private static ScheduleSimulation replay(PipelineSchedule schedule, int stages, int microBatches,
                                             PipelineResult measured,
                                             java.util.function.ToDoubleFunction<StageEvent> seconds) {
        java.util.Map<String, Double> secs = new java.util.HashMap<>();
        for (StageEvent e : measured.events()) {
            if (e.isCompute()) secs.merge(e.stage() + " " + e.label(), seconds.applyAsDouble(e), Double::sum);
        }
        return simulate(schedule, stages, microBatches, (d, op) -> {
            Double t = secs.get(d + " " + op);
            if (t == null) {
                throw new IllegalArgumentException("ScheduleSimulation: the measured step has no pass " + op
                        + " on stage " + d + "; replay it with the schedule, p and m it ran with");
            }
            return t;
        });
    }

    private static ScheduleSimulation simulate(PipelineSchedule schedule, int stages, int microBatches,
                                               java.util.function.ToDoubleBiFunction<Integer, PipelineOp> duration) {
        int p = stages, m = microBatches, v = schedule.chunks();
        List<List<PipelineOp>> ops = schedule.ops(p, m);
        validate(schedule.name(), ops, p, m, v);
        int parts = p * v;
        // finish[kind][part][mb], NaN until scheduled
        double[][][] finish = new double[2][parts][m];
        for (double[][] a : finish) for (double[] b : a) Arrays.fill(b, Double.NaN);
        int[] next = new int[p];
        double[] free = new double[p];
        double[] busy = new double[p];
        int[] inFlight = new int[p];
        int[] peak = new int[p];
        List<Bar> bars = new ArrayList<>();
        int remaining = ops.stream().mapToInt(List::size).sum();
        while (remaining > 0) {
            boolean progressed = false;
            for (int d = 0; d < p; d++) {
                while (next[d] < ops.get(d).size()) {
                    PipelineOp op = ops.get(d).get(next[d]);
                    int part = op.chunk() * p + d;
                    double ready;
                    if (op.isForward()) {
                        ready = part == 0 ? 0 : finish[0][part - 1][op.microBatch()];
                    } else {
                        ready = part == parts - 1 ? finish[0][part][op.microBatch()]
                                : finish[1][part + 1][op.microBatch()];
                        ready = Math.max(ready, finish[0][part][op.microBatch()]);
                    }
                    if (Double.isNaN(ready)) break;
                    double start = Math.max(ready, free[d]);
                    double end = start + duration.applyAsDouble(d, op);
                    finish[op.isForward() ? 0 : 1][part][op.microBatch()] = end;
                    free[d] = end;
                    busy[d] += end - start;
                    inFlight[d] += op.isForward() ? 1 : -1;
                    peak[d] = Math.max(peak[d], inFlight[d]);
                    bars.add(new Bar("stage " + d, start, end, op.toString()));
                    next[d]++;
                    remaining--;
                    progressed = true;
                }
            }
            if (!progressed) {
                StringBuilder stuck = new StringBuilder();
                for (int d = 0; d < p; d++) {
                    if (next[d] < ops.get(d).size()) {
                        stuck.append(" stage ").append(d).append(" waits at ").append(ops.get(d).get(next[d])).append(';');
                    }
                }
                throw new IllegalArgumentException(schedule.name() + " deadlocks for p=" + p + ", m=" + m + ":" + stuck
                        + " each waits for a pass that is listed later on another stage");
            }
        }
        double makespan = Arrays.stream(free).max().orElse(0);
        double total = Arrays.stream(busy).sum();
        return new ScheduleSimulation(makespan, busy, 1 - total / (p * makespan), peak, bars);
    }

    /**
     * Checks that every stage lists, for each of its v chunks, the forward and the backward of every micro-batch
     * exactly once, and nothing else.
     *
     * @throws IllegalArgumentException naming the stage and the missing, repeated or out-of-range pass
     */
    public static void validate(String name, List<List<PipelineOp>> ops, int stages, int microBatches, int chunks) {
        if (ops == null || ops.size() != stages) {
            throw new IllegalArgumentException(name + ": expected one list of passes per stage (" + stages + "), got "
                    + (ops == null ? "null" : ops.size()));
        }
        for (int d = 0; d < stages; d++) {
            Set<PipelineOp> seen = new HashSet<>();
            for (PipelineOp op : ops.get(d)) {
                if (op == null) throw new IllegalArgumentException(name + ": stage " + d + " lists a null pass");
                if (op.microBatch() >= microBatches || op.chunk() >= chunks) {
                    throw new IllegalArgumentException(name + ": stage " + d + " lists " + op + " but there are "
                            + microBatches + " micro-batches and " + chunks + " chunk(s) per stage");
                }
                if (!seen.add(op)) {
                    throw new IllegalArgumentException(name + ": stage " + d + " lists " + op + " twice; every "
                            + "micro-batch goes forward and backward exactly once per stage");
                }
            }
            for (int c = 0; c < chunks; c++) {
                for (int mb = 0; mb < microBatches; mb++) {
                    for (PipelineOp op : List.of(PipelineOp.forward(mb, c), PipelineOp.backward(mb, c))) {
                        if (!seen.contains(op)) {
                            throw new IllegalArgumentException(name + ": stage " + d + " never runs " + op
                                    + "; every micro-batch goes forward and backward exactly once per stage");
                        }
                    }
                }
            }
        }
    }

    /**
     * Runs the lists by dependencies only: returns null when every pass can run, otherwise each stage's position in
     * its list when no stage can move (for schedule generators that repair their order).
     */
    static int[] blockedAt(List<List<PipelineOp>> ops, int stages, int microBatches, int chunks) {
        int parts = stages * chunks;
        boolean[][][] done = new boolean[2][parts][microBatches];
        int[] next = new int[stages];
        boolean progressed = true;
        while (progressed) {
            progressed = false;
            for (int d = 0; d < stages; d++) {
                while (next[d] < ops.get(d).size()) {
                    PipelineOp op = ops.get(d).get(next[d]);
                    int part = op.chunk() * stages + d, mb = op.microBatch();
                    boolean ready = op.isForward() ? part == 0 || done[0][part - 1][mb]
                            : done[0][part][mb] && (part == parts - 1 || done[1][part + 1][mb]);
                    if (!ready) break;
                    done[op.isForward() ? 0 : 1][part][mb] = true;
                    next[d]++;
                    progressed = true;
                }
            }
        }
        for (int d = 0; d < stages; d++) if (next[d] < ops.get(d).size()) return next;
        return null;
    }

    /** The largest of {@link #peakInFlight()}. */
    public int maxInFlight() {
        return Arrays.stream(peakInFlight).max().orElse(0);
    }
}
