package org.bigmodels.progress;

import java.io.PrintStream;

/**
 * Whole lines for a log that cannot redraw (CI, a file): one each time another tenth is done, or after
 * {@link #QUIET_NANOS} without a line, and the final state; never thousands of lines. Notebook: 00-welcome.
 */
final class LogSink implements Sink {

    /** Longest silence between two lines while the loop runs. */
    static final long QUIET_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private long lastTenth = -1;
    private long lastNanos;
    private String lastLine;

    LogSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void update(Snapshot snapshot) {
        long tenth = snapshot.total() > 0 ? 10 * snapshot.done() / snapshot.total() : -1;
        boolean newTenth = snapshot.total() > 0 && tenth > lastTenth;
        boolean quietTooLong = lastLine == null || snapshot.elapsedNanos() - lastNanos >= QUIET_NANOS;
        if (newTenth || quietTooLong) {
            print(snapshot);
            lastTenth = Math.max(lastTenth, tenth);
        }
    }

    @Override
    public void finish(Snapshot snapshot) {
        if (!snapshot.line().equals(lastLine)) {
            print(snapshot);
        }
    }

    private void print(Snapshot snapshot) {
        lastLine = snapshot.line();
        lastNanos = snapshot.elapsedNanos();
        out.println(lastLine);
        out.flush();
    }
}
