package org.bigmodels.capstone;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Latency of several computations measured side by side: after one warm-up call each, {@code rounds} rounds call
 * every computation once, in an order that rotates from round to round, and each one's median time is reported. On a
 * shared machine the load changes from second to second; alternating spreads it over all the candidates, and the
 * median ignores the rounds a burst of load spoiled, so the ratios between candidates are more trustworthy than any
 * single absolute time. (The same method as the course's benchmarks: warm up, alternate, take medians.)
 */
public final class InterleavedTimer {
    /** The most rounds one call may ask for (their times are kept to take the median). */
    public static final int MAX_ROUNDS = 100_000;
    private final LongSupplier clock;

    /** A timer on {@link System#nanoTime()}. */
    public InterleavedTimer() {
        this(System::nanoTime);
    }

    /**
     * A timer on the given nanosecond clock (tests pass a fake one).
     *
     * @throws IllegalArgumentException if clock is null
     */
    public InterleavedTimer(LongSupplier clock) {
        if (clock == null) throw new IllegalArgumentException("InterleavedTimer: expected a nanosecond clock, got null");
        this.clock = clock;
    }

    /**
     * The median milliseconds per call of each computation, in the map's order.
     *
     * @param rounds 1 to {@link #MAX_ROUNDS} (an odd number gives a true median)
     * @throws IllegalArgumentException if rounds is outside 1..MAX_ROUNDS, or there is nothing to time (null, empty,
     *                                  or a null computation)
     */
    public Map<String, Double> medianMillis(Map<String, Runnable> computations, int rounds) {
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("InterleavedTimer: expected 1 to " + MAX_ROUNDS + " rounds, got " + rounds);
        }
        if (computations == null || computations.isEmpty()) {
            throw new IllegalArgumentException("InterleavedTimer: nothing to time (got " + computations + ")");
        }
        computations.forEach((n, c) -> {
            if (c == null) throw new IllegalArgumentException("InterleavedTimer: computation " + n + " is null");
        });
        String[] names = computations.keySet().toArray(new String[0]);
        double[][] ms = new double[names.length][rounds];
        for (String n : names) computations.get(n).run();          // warm-up: JIT, caches, first allocations
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < names.length; k++) {
                int i = (k + r) % names.length;                     // rotate who goes first
                long t0 = clock.getAsLong();
                computations.get(names[i]).run();
                ms[i][r] = (clock.getAsLong() - t0) / 1e6;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) out.put(names[i], median(ms[i]));
        return out;
    }

    /** The median of v (the mean of the two middle values for an even length). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
