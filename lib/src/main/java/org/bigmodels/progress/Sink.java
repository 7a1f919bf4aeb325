package org.bigmodels.progress;

/**
 * Where a {@link Progress} shows itself: a notebook cell, a terminal line, or a log.
 * Notebook: 00-welcome.
 */
interface Sink {

    /** A new state, at most every {@link Progress#MIN_INTERVAL_NANOS}. */
    void update(Snapshot snapshot);

    /** The final state, shown whatever the throttle says. */
    void finish(Snapshot snapshot);
}
