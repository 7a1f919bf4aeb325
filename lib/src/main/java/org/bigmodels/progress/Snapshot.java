package org.bigmodels.progress;

import java.util.Locale;
import java.util.Map;

/**
 * Where a loop stands at one moment, and its one-line rendering:
 * {@code epoch 1 [#####.....] 50/100 50% | 12.3 it/s | 0:04 elapsed | eta 0:04 | loss 0.42}.
 * Notebook: 00-welcome.
 *
 * @param total   number of steps expected, or 0 when unknown (then no bar, percentage or ETA)
 * @param metrics named values shown at the end, in insertion order
 */
record Snapshot(String label, long done, long total, long elapsedNanos, Map<String, Double> metrics) {

    static final int BAR_WIDTH = 20;

    Snapshot {
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    }

    String line() {
        StringBuilder sb = new StringBuilder(label);
        double seconds = elapsedNanos / 1e9;
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
            sb.append(" [").append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(done).append('/').append(total)
                    .append(' ').append(Math.min(100, 100 * done / total)).append('%');
        } else {
            sb.append(' ').append(done);
        }
        sb.append(" | ").append(rate(done, seconds));
        sb.append(" | ").append(clock(seconds)).append(" elapsed");
        if (total > 0 && done > 0 && done < total) {
            sb.append(" | eta ").append(clock(seconds * (total - done) / done));
        }
        for (var metric : metrics.entrySet()) {
            sb.append(" | ").append(metric.getKey()).append(' ').append(number(metric.getValue()));
        }
        return sb.toString();
    }

    /** Steps per second (whole, with thousands separators, from 1,000 up), or seconds per step when slower than one a second. */
    static String rate(long done, double seconds) {
        if (done == 0 || seconds <= 0) {
            return "- it/s";
        }
        double perSecond = done / seconds;
        if (perSecond >= 1000) {
            return String.format(Locale.ROOT, "%,.0f it/s", perSecond); // 11,338,662 it/s, not 11338662.2
        }
        return perSecond >= 1
                ? String.format(Locale.ROOT, "%.1f it/s", perSecond)
                : String.format(Locale.ROOT, "%.1f s/it", 1 / perSecond);
    }

    /** {@code m:ss}, or {@code h:mm:ss} past an hour. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    static String number(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }
}
