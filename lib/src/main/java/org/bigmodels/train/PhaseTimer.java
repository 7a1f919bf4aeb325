package org.bigmodels.train;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.function.LongSupplier;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Time spent in each phase of a repeated step, e.g. a training step's forward pass (with the loss), backward
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
 * Used in 03-mlp-mnist and by {@code LeNetBenchmark}.
 *
 * <p>Which clock: by default {@link Clock#auto()}, the calling thread's CPU time
 * ({@link ThreadMXBean#getCurrentThreadCpuTime()}). With ND4J at one OpenMP thread ({@code OMP_NUM_THREADS=1}, what
 * {@code ./course setup} picks on a small machine) every kernel runs on the calling thread, so its CPU time is exactly
 * the work of the step, and time the thread spends waiting for a core that other programs hold is not counted: the
 * shares stay put on a busy machine, where wall time swings by 2x. With more OpenMP threads the work of a matrix
 * product is spread over threads this one does not see, so thread CPU time would undercount it; then (and when the JVM
 * cannot measure thread CPU time) the timer falls back to wall time ({@link System#nanoTime()}), and
 * {@link Clock#note()} says so. Wall time is inflated by a busy machine: compare shares and ratios, not absolute
 * times.
 */
public final class PhaseTimer {
    /** The phases of {@link #training()}. */
    public static final List<String> TRAINING_PHASES = List.of("forward + loss", "backward", "optimizer step");

    /**
     * A clock in nanoseconds, with a name and a note on what it measures (printed by lessons beside their timings).
     *
     * @param name  short name, e.g. "thread CPU time" or "wall time"
     * @param note  why this clock was chosen, one sentence
     * @param nanos the reading in nanoseconds; only differences between readings mean something
     */
    public record Clock(String name, String note, LongSupplier nanos) {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        /** Wall time, {@link System#nanoTime()}. */
        public static Clock wall() {
            return new Clock("wall time", "wall time: includes the time the thread waited for a core", System::nanoTime);
        }

        /**
         * The calling thread's CPU time, {@link ThreadMXBean#getCurrentThreadCpuTime()}: counts only work done on this
         * thread (all of ND4J's work when it runs at one OpenMP thread).
         *
         * @throws UnsupportedOperationException if this JVM cannot measure thread CPU time
         */
        public static Clock threadCpu() {
            if (!THREADS.isCurrentThreadCpuTimeSupported()) {
                throw new UnsupportedOperationException("PhaseTimer: this JVM cannot measure thread CPU time; use Clock.wall()");
            }
            if (!THREADS.isThreadCpuTimeEnabled()) THREADS.setThreadCpuTimeEnabled(true);
            return new Clock("thread CPU time", "thread CPU time: ND4J runs at 1 OpenMP thread, so all its work is on "
                    + "this thread, and waiting for a busy core is not counted", THREADS::getCurrentThreadCpuTime);
        }

        /**
         * Thread CPU time when it measures the whole step, else wall time: see {@link #choose}, applied to this
         * process's {@code OMP_NUM_THREADS}, the JVM's support for thread CPU time and its number of processors.
         */
        public static Clock auto() {
            boolean cpu = choose(System.getenv("OMP_NUM_THREADS"), THREADS.isCurrentThreadCpuTimeSupported(),
                    Runtime.getRuntime().availableProcessors());
            if (cpu) return threadCpu();
            Clock w = wall();
            String why = !THREADS.isCurrentThreadCpuTimeSupported() ? "this JVM cannot measure thread CPU time"
                    : "OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS")
                            + ", so ND4J's work is spread over threads that this thread's CPU time would miss";
            return new Clock(w.name(), "wall time, because " + why + "; a busy machine inflates it", w.nanos());
        }

        /**
         * The rule of {@link #auto()}: thread CPU time only if the JVM supports it and ND4J runs one OpenMP thread
         * ({@code OMP_NUM_THREADS} is 1, or unset on a one-processor machine).
         *
         * @param ompNumThreads the value of {@code OMP_NUM_THREADS}, or null when unset
         */
        public static boolean choose(String ompNumThreads, boolean cpuTimeSupported, int processors) {
            if (!cpuTimeSupported) return false;
            if (ompNumThreads == null || ompNumThreads.isBlank()) return processors == 1;
            try {
                return Integer.parseInt(ompNumThreads.trim()) == 1;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** The current reading in nanoseconds. */
        public long read() {
            return nanos.getAsLong();
        }
    }

    private final List<String> phases;
    private final Clock clockInfo;
    private final LongSupplier clock;
    private final long[] nanos;
    private int steps;
    private int current = -1; // the open phase, or -1 between steps
    private long last;

    /**
     * A timer for steps made of the named phases, in order, on the clock {@link Clock#auto()} (thread CPU time at one
     * OpenMP thread, else wall time).
     *
     * @throws IllegalArgumentException if there is no phase or two phases share a name
     */
    public PhaseTimer(String... phases) {
        this(Clock.auto(), phases);
    }

    /** The same with a bare clock in nanoseconds (tests use a fake one). */
    public PhaseTimer(LongSupplier clockNanos, String... phases) {
        this(new Clock("custom clock", "a clock given by the caller", clockNanos), phases);
    }

    /**
     * The same on the given clock.
     *
     * @throws IllegalArgumentException if there is no phase or two phases share a name
     */
    public PhaseTimer(Clock clock, String... phases) {
        if (phases.length == 0 || new HashSet<>(Arrays.asList(phases)).size() != phases.length) {
            throw new IllegalArgumentException("PhaseTimer: expected at least one phase, all names distinct, got "
                    + Arrays.toString(phases));
        }
        this.phases = List.of(phases);
        this.clockInfo = clock;
        this.clock = clock.nanos();
        this.nanos = new long[phases.length];
    }

    /** A timer for the three phases of a training step: {@link #TRAINING_PHASES}, on {@link Clock#auto()}. */
    public static PhaseTimer training() {
        return new PhaseTimer(TRAINING_PHASES.toArray(new String[0]));
    }

    /** The same on the given clock. */
    public static PhaseTimer training(Clock clock) {
        return new PhaseTimer(clock, TRAINING_PHASES.toArray(new String[0]));
    }

    /** The clock this timer reads (its name and note say what the times mean). */
    public Clock clock() {
        return clockInfo;
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

    /** The phase names, in order. */
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
        StringBuilder s = new StringBuilder("PhaseTimer[" + clockInfo.name() + ", " + steps + " steps");
        for (String p : phases) s.append(String.format(java.util.Locale.ROOT, ", %s %.3f s", p, seconds(p)));
        return s.append(']').toString();
    }
}
