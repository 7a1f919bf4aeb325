package org.bigmodels.train;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.function.LongSupplier;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Wall-clock time spent in each phase of a repeated step, e.g. a training step's forward pass (with the loss), backward
 * pass and optimizer update. Each step reads the clock once at its start and once at the end of every phase, so the
 * phases of a step add up to the whole step:
 * <pre>{@code
 * PhaseTimer timer = PhaseTimer.training();
 * for (Batch b : batches) {
 *     timer.startStep();
 *     optimizer.zeroGrad();
 *     Tensor loss = Ops.crossEntropy(model.forward(b.x()), b.y());
 *     timer.endPhase();          // forward + loss
 *     loss.backward();
 *     timer.endPhase();          // backward
 *     optimizer.step();
 *     timer.endPhase();          // optimizer step; the step is counted
 *     if (step == warmup) timer.reset();   // forget the JIT's warm-up steps
 * }
 * timer.table("where a training step's time goes")
 * }</pre>
 * Used in 03-mlp-mnist and by {@code LeNetBenchmark}. The time is wall-clock ({@link System#nanoTime()}), so a busy
 * machine inflates it: compare shares and ratios, not absolute times.
 */
public final class PhaseTimer {
    /** The phases of {@link #training()}. */
    public static final List<String> TRAINING_PHASES = List.of("forward + loss", "backward", "optimizer step");

    private final List<String> phases;
    private final LongSupplier clock;
    private final long[] nanos;
    private int steps;
    private int current = -1; // the open phase, or -1 between steps
    private long last;

    /**
     * A timer for steps made of the named phases, in order.
     *
     * @throws IllegalArgumentException if there is no phase or two phases share a name
     */
    public PhaseTimer(String... phases) {
        this(System::nanoTime, phases);
    }

    /** The same with a clock in nanoseconds (tests use a fake one). */
    public PhaseTimer(LongSupplier clockNanos, String... phases) {
        if (phases.length == 0 || new HashSet<>(Arrays.asList(phases)).size() != phases.length) {
            throw new IllegalArgumentException("PhaseTimer: expected at least one phase, all names distinct, got "
                    + Arrays.toString(phases));
        }
        this.phases = List.of(phases);
        this.clock = clockNanos;
        this.nanos = new long[phases.length];
    }

    /** A timer for the three phases of a training step: {@link #TRAINING_PHASES}. */
    public static PhaseTimer training() {
        return new PhaseTimer(TRAINING_PHASES.toArray(new String[0]));
    }

    /**
     * Starts a step: the clock runs for the first phase.
     *
     * @throws IllegalStateException if the previous step still has a phase open
     */
    public void startStep() {
        if (current >= 0) {
            throw new IllegalStateException("PhaseTimer: startStep() while phase '" + phases.get(current)
                    + "' of the previous step is open; call endPhase() once per phase (" + phases.size() + " per step)");
        }
        current = 0;
        last = clock.getAsLong();
    }

    /**
     * Ends the open phase and starts the next one; ending the last phase completes the step.
     *
     * @throws IllegalStateException if no step is open (call {@link #startStep()} first)
     */
    public void endPhase() {
        if (current < 0) {
            throw new IllegalStateException("PhaseTimer: endPhase() without an open step; call startStep() first");
        }
        long now = clock.getAsLong();
        nanos[current] += now - last;
        last = now;
        current++;
        if (current == phases.size()) {
            current = -1;
            steps++;
        }
    }

    /** Forgets every step measured so far, and any open step (e.g. after the warm-up steps). */
    public void reset() {
        Arrays.fill(nanos, 0);
        steps = 0;
        current = -1;
    }

    /** The number of completed steps since the last {@link #reset()}. */
    public int steps() {
        return steps;
    }

    public List<String> phases() {
        return phases;
    }

    /** Seconds spent in a phase over all completed steps. */
    public double seconds(String phase) {
        return nanos[index(phase)] / 1e9;
    }

    /** Seconds spent in all phases over all completed steps. */
    public double totalSeconds() {
        long sum = 0;
        for (long n : nanos) sum += n;
        return sum / 1e9;
    }

    /**
     * Mean seconds per step in a phase.
     *
     * @throws IllegalStateException if no step has been completed
     */
    public double secondsPerStep(String phase) {
        if (steps == 0) throw new IllegalStateException("PhaseTimer: no completed step to average over");
        return seconds(phase) / steps;
    }

    /** The phase's share of the total time, in [0, 1] (NaN when nothing was timed). */
    public double share(String phase) {
        double total = totalSeconds();
        return total == 0 ? Double.NaN : seconds(phase) / total;
    }

    /**
     * One row per phase: "phase", "ms per step", "share (%)".
     *
     * @throws IllegalStateException if no step has been completed
     */
    public Table table(String title) {
        DoubleColumn ms = DoubleColumn.create("ms per step");
        DoubleColumn share = DoubleColumn.create("share (%)");
        for (String p : phases) {
            ms.append(1000 * secondsPerStep(p));
            share.append(100 * share(p));
        }
        return Table.create(title, StringColumn.create("phase", phases), ms, share);
    }

    private int index(String phase) {
        int i = phases.indexOf(phase);
        if (i < 0) throw new IllegalArgumentException("PhaseTimer: no phase '" + phase + "'; phases are " + phases);
        return i;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PhaseTimer[" + steps + " steps");
        for (String p : phases) s.append(String.format(java.util.Locale.ROOT, ", %s %.3f s", p, seconds(p)));
        return s.append(']').toString();
    }
}
