package org.bigmodels.capstone;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The accuracy-size Pareto front: the models that no other model beats on both axes at once. A model is dominated
 * when another one is at most as large and at least as accurate, and strictly better on one of the two; the front is
 * what is left, and it is the menu of sensible choices (every other model is a worse deal than some model on it).
 * Computed by sorting by size (ties: more accurate first) and keeping each model more accurate than every smaller one,
 * O(n log n).
 */
public final class ParetoFront {
    private ParetoFront() {}

    /**
     * The indices of the non-dominated points, by increasing size. Exact duplicates keep the first index only.
     *
     * @param sizes      bytes (or any cost, smaller is better), one per model
     * @param accuracies accuracy (larger is better), one per model
     * @throws IllegalArgumentException if an array is null, the arrays differ in length or hold a NaN or an infinity
     */
    public static int[] of(double[] sizes, double[] accuracies) {
        if (sizes == null || accuracies == null) {
            throw new IllegalArgumentException("ParetoFront: expected arrays of sizes and accuracies, got "
                    + (sizes == null ? "null" : "an array") + " and " + (accuracies == null ? "null" : "an array"));
        }
        if (sizes.length != accuracies.length) {
            throw new IllegalArgumentException("ParetoFront: expected one accuracy per size, got " + sizes.length
                    + " sizes and " + accuracies.length + " accuracies");
        }
        for (int i = 0; i < sizes.length; i++) {
            if (!Double.isFinite(sizes[i]) || !Double.isFinite(accuracies[i])) {
                throw new IllegalArgumentException("ParetoFront: model " + i + " has a NaN or infinite size or accuracy ("
                        + sizes[i] + ", " + accuracies[i] + "); measure it first");
            }
        }
        Integer[] order = new Integer[sizes.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> sizes[i])
                .thenComparing(i -> -accuracies[i]).thenComparingInt(i -> i));
        List<Integer> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (int i : order) {
            if (accuracies[i] > best) {
                front.add(i);
                best = accuracies[i];
            }
        }
        return front.stream().mapToInt(Integer::intValue).toArray();
    }
}
