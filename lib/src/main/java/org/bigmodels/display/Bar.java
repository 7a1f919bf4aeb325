package org.bigmodels.display;

/**
 * One busy interval on a timeline: which lane (a worker, a pipeline stage), when it starts and ends, and
 * what it does (e.g. {@code F3} = forward of micro-batch 3). Drawn by {@link Plots#timeline}.
 * Notebook: 00-welcome (used from 08-pipeline-parallel on).
 */
public record Bar(String lane, double start, double end, String label) {
    public Bar {
        if (lane == null || lane.isBlank()) {
            throw new IllegalArgumentException("A bar needs a lane name (e.g. \"stage 0\"), got '" + lane + "'");
        }
        if (!Double.isFinite(start) || !Double.isFinite(end) || end < start) {
            throw new IllegalArgumentException("A bar needs finite start <= end, got start=" + start + ", end=" + end
                    + " on lane '" + lane + "'");
        }
        label = label == null ? "" : label;
    }
}
