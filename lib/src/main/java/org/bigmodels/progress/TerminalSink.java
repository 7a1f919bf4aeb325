package org.bigmodels.progress;

import java.io.PrintStream;

/**
 * One line redrawn in place with a carriage return: for an interactive terminal.
 * Notebook: 00-welcome.
 */
final class TerminalSink implements Sink {

    private final PrintStream out;
    private int lastLength;

    TerminalSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void update(Snapshot snapshot) {
        draw(snapshot.line());
        out.flush();
    }

    @Override
    public void finish(Snapshot snapshot) {
        draw(snapshot.line());
        out.print('\n');
        out.flush();
    }

    private void draw(String line) {
        // blanks wipe the tail of a longer previous line
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        lastLength = line.length();
    }
}
