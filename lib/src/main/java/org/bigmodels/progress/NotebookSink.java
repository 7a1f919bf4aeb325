package org.bigmodels.progress;

import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * Updates one output area of a Jupyter cell in place, through the Java kernel's
 * {@code Global.display(mime, value)} (which returns a display id) and {@code Global.updateDisplay(id, mime, value)}
 * (Jupyter's update_display_data message). They are reached by reflection so that the library needs no
 * kernel outside a notebook; if they fail, the line is redrawn with a carriage return instead, which
 * Jupyter also shows in place. Notebook: 00-welcome.
 */
final class NotebookSink implements Sink {

    static final String GLOBAL = "org.rapaio.jupyter.kernel.global.Global";
    private static final String MIME = "text/plain";

    private final Method display;
    private final Method update;
    private final Sink fallback;
    private String id;
    private boolean broken;

    private NotebookSink(Method display, Method update, PrintStream out) {
        this.display = display;
        this.update = update;
        this.fallback = new TerminalSink(out);
    }

    /** A sink for the kernel this code runs in, or null when no kernel's display functions are reachable. */
    static NotebookSink inKernel(PrintStream out) {
        try {
            Class<?> global = Class.forName(GLOBAL, true, NotebookSink.class.getClassLoader());
            return new NotebookSink(global.getMethod("display", String.class, Object.class),
                    global.getMethod("updateDisplay", String.class, String.class, Object.class), out);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    @Override
    public void update(Snapshot snapshot) {
        show(snapshot, false);
    }

    @Override
    public void finish(Snapshot snapshot) {
        show(snapshot, true);
    }

    private void show(Snapshot snapshot, boolean last) {
        if (!broken) {
            try {
                if (id == null) {
                    id = (String) display.invoke(null, MIME, snapshot.line());
                } else {
                    update.invoke(null, id, MIME, snapshot.line());
                }
                return;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                broken = true;
            }
        }
        if (last) {
            fallback.finish(snapshot);
        } else {
            fallback.update(snapshot);
        }
    }
}
