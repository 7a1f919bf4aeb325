package org.bigmodels.progress;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * Shows how far a long loop has got: a bar, steps done, rate, elapsed time, time left and any values
 * you attach (loss, accuracy). In a notebook it updates one output in place; in a terminal it redraws
 * one line; in a log (CI, a file) it writes a line per tenth done. Redraws are at least 100 ms apart, so
 * calling {@link #step()} a million times costs almost nothing. Notebook: 00-welcome.
 *
 * <pre>{@code
 * try (var p = Progress.of("epoch 1", batches)) {
 *     for (...) { ...; p.step(); p.set("loss", loss); }
 * }
 * for (int i : Progress.range(100, "warm-up")) { ... }
 * }</pre>
 *
 * Where output goes is decided once, at creation: the system property {@value #MODE_PROPERTY}
 * ({@code notebook}, {@code terminal} or {@code log}) if set; else a notebook when running inside the
 * Java Jupyter kernel, a terminal when there is a console, a log otherwise. Not thread-safe: one loop, one thread.
 */
public final class Progress implements AutoCloseable {

    /** Fewest nanoseconds between two redraws. */
    public static final long MIN_INTERVAL_NANOS = 100_000_000L;
    /** System property forcing the output: notebook, terminal or log. */
    public static final String MODE_PROPERTY = "bigmodels.progress";

    private final String label;
    private final long total;
    private final LongSupplier clock;
    private final Sink sink;
    private final long startNanos;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private long done;
    private long lastDrawNanos;
    private boolean drawn;
    private boolean closed;

    Progress(String label, long total, LongSupplier clock, Sink sink) {
        if (label == null) {
            throw new IllegalArgumentException("Progress needs a label, e.g. \"epoch 1\"; got null");
        }
        if (total < 0) {
            throw new IllegalArgumentException("total must be 0 (unknown) or more, got " + total);
        }
        this.label = label;
        this.total = total;
        this.clock = clock;
        this.sink = sink;
        this.startNanos = clock.getAsLong();
    }

    /**
     * A progress display for a loop of {@code total} steps (0 when unknown); close it when the loop ends.
     */
    public static Progress of(String label, long total) {
        return new Progress(label, total, System::nanoTime, defaultSink(System.out));
    }

    /**
     * {@code 0, 1, ..., n-1}, showing progress as the loop goes; the display closes when the loop ends
     * (after a {@code break} it simply stops updating).
     */
    public static Iterable<Integer> range(int n, String label) {
        if (n < 0) {
            throw new IllegalArgumentException("range needs n >= 0, got " + n);
        }
        return () -> new Iterator<>() {
            private final Progress progress = Progress.of(label, n);
            private int next;

            @Override
            public boolean hasNext() {
                if (next < n) {
                    return true;
                }
                progress.advanceTo(n);
                progress.close();
                return false;
            }

            @Override
            public Integer next() {
                if (next >= n) {
                    throw new NoSuchElementException("range(" + n + ") has no more elements");
                }
                progress.advanceTo(next);
                return next++;
            }
        };
    }

    /** One more step done. */
    public void step() {
        step(1);
    }

    /** {@code steps} more steps done. */
    public void step(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be 0 or more, got " + steps);
        }
        advanceTo(done + steps);
    }

    /** Attaches a value shown after the timings, e.g. {@code set("loss", 0.42)}; replaces an earlier value. */
    public Progress set(String name, double value) {
        metrics.put(name, value);
        return this;
    }

    /** Steps done so far. */
    public long done() {
        return done;
    }

    /** The line as it would be shown now. */
    public String line() {
        return snapshot(clock.getAsLong()).line();
    }

    /** Shows the final state. Calling it again does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sink.finish(snapshot(clock.getAsLong()));
        }
    }

    void advanceTo(long steps) {
        if (closed) {
            return;
        }
        done = steps;
        long now = clock.getAsLong();
        if (!drawn || now - lastDrawNanos >= MIN_INTERVAL_NANOS) {
            drawn = true;
            lastDrawNanos = now;
            sink.update(snapshot(now));
        }
    }

    private Snapshot snapshot(long now) {
        return new Snapshot(label, done, total, now - startNanos, metrics);
    }

    static Sink defaultSink(PrintStream out) {
        String mode = System.getProperty(MODE_PROPERTY, "");
        switch (mode) {
            case "terminal":
                return new TerminalSink(out);
            case "log":
                return new LogSink(out);
            case "notebook":
                NotebookSink forced = NotebookSink.inKernel(out);
                return forced != null ? forced : new TerminalSink(out);
            case "":
                break;
            default:
                throw new IllegalArgumentException("System property " + MODE_PROPERTY + " must be notebook, terminal or log; got '"
                        + mode + "'");
        }
        if (insideKernel()) {
            NotebookSink notebook = NotebookSink.inKernel(out);
            if (notebook != null) {
                return notebook;
            }
        }
        return System.console() != null ? new TerminalSink(out) : new LogSink(out);
    }

    /**
     * True in the Java Jupyter kernel's process: its launch command names it. The kernel's classes alone are
     * not enough, as they are also on the test class path.
     */
    static boolean insideKernel() {
        String command = System.getProperty("sun.java.command", "");
        return command.contains("rapaio") || System.getenv("RJK_CLASSPATH") != null;
    }
}
