package org.bigmodels.train;

import java.util.Collection;
import org.apache.commons.math3.stat.StatUtils;

/**
 * The small statistics of measurements: mean, median, minimum, maximum, sample standard deviation and the standard
 * error of a mean, and the position of the smallest or largest value. Computed by Apache Commons Math
 * ({@link StatUtils}); this class adds the checks (no empty input, no NaN) and overloads for the {@code List<Double>}
 * that a loop collects. Used for the median time per epoch (03-mlp-mnist, {@code LeNetBenchmark}: the median ignores
 * the one epoch that a busy machine slowed down, the mean does not) and the best step size of a sweep (02).
 *
 * <p>Every method throws {@link IllegalArgumentException} for an empty input or a NaN value, naming its position:
 * a NaN time or loss is a bug upstream, not a number to average.
 */
public final class Stats {
    private Stats() {}

    /** The arithmetic mean Σv / n. */
    public static double mean(double... values) {
        return StatUtils.mean(check("mean", values, 1));
    }

    /** {@link #mean(double...)} of a collection of numbers (a null element is rejected too). */
    public static double mean(Collection<? extends Number> values) {
        return mean(toArray(values));
    }

    /**
     * The middle value of the sorted values; for an even count, the mean of the two middle ones
     * (so the median of {1, 2, 3, 10} is 2.5).
     */
    public static double median(double... values) {
        return StatUtils.percentile(check("median", values, 1), 50.0);
    }

    /** {@link #median(double...)} of a collection of numbers (a null element is rejected too). */
    public static double median(Collection<? extends Number> values) {
        return median(toArray(values));
    }

    /** The smallest value. */
    public static double min(double... values) {
        return StatUtils.min(check("min", values, 1));
    }

    /** {@link #min(double...)} of a collection of numbers (a null element is rejected too). */
    public static double min(Collection<? extends Number> values) {
        return min(toArray(values));
    }

    /** The largest value. */
    public static double max(double... values) {
        return StatUtils.max(check("max", values, 1));
    }

    /** {@link #max(double...)} of a collection of numbers (a null element is rejected too). */
    public static double max(Collection<? extends Number> values) {
        return max(toArray(values));
    }

    /** The sample standard deviation √(Σ(v − mean)² / (n − 1)); needs at least 2 values. */
    public static double standardDeviation(double... values) {
        return Math.sqrt(StatUtils.variance(check("standardDeviation", values, 2)));
    }

    /** {@link #standardDeviation(double...)} of a collection of numbers (a null element is rejected too). */
    public static double standardDeviation(Collection<? extends Number> values) {
        return standardDeviation(toArray(values));
    }

    /** The standard error of the mean, standardDeviation / √n: how far the mean of n repeats may sit from the truth. */
    public static double standardError(double... values) {
        return standardDeviation(values) / Math.sqrt(values.length);
    }

    /** {@link #standardError(double...)} of a collection of numbers (a null element is rejected too). */
    public static double standardError(Collection<? extends Number> values) {
        return standardError(toArray(values));
    }

    /** The index of the smallest value (the first one on ties). */
    public static int argmin(double... values) {
        check("argmin", values, 1);
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] < values[best]) best = i;
        return best;
    }

    /** The index of the largest value (the first one on ties). */
    public static int argmax(double... values) {
        check("argmax", values, 1);
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /** The values as a fresh double[] (for the methods above, or a plot). */
    public static double[] toArray(Collection<? extends Number> values) {
        double[] out = new double[values.size()];
        int i = 0;
        for (Number v : values) {
            if (v == null) throw new IllegalArgumentException("Stats: value " + i + " is null");
            out[i++] = v.doubleValue();
        }
        return out;
    }

    private static double[] check(String what, double[] values, int atLeast) {
        if (values == null || values.length < atLeast) {
            throw new IllegalArgumentException("Stats." + what + ": expected at least " + atLeast + " value"
                    + (atLeast == 1 ? "" : "s") + ", got " + (values == null ? "null" : values.length));
        }
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException("Stats." + what + ": value " + i + " is NaN; find where it was "
                        + "computed (a NaN time or loss is a bug, not a measurement)");
            }
        }
        return values;
    }
}
