package org.bigmodels.pipeline;

/**
 * Cuts a chain of n units with per-unit costs into p contiguous stages. A pipeline runs at the pace of its slowest
 * stage, so the goal is to minimise the largest stage cost (the "linear partition" problem; PipeDream, Narayanan et
 * al. 2019, section 3.1, solves it by dynamic programming from profiled layer times).
 */
public interface StagePartitioner {
    /**
     * @param costs  per-unit cost (seconds or FLOPs), n >= 1 non-negative finite values
     * @param stages p, 1 <= p <= n
     * @return p+1 cut points: 0, ..., n; stage s = units [cuts[s], cuts[s+1]), each non-empty
     * @throws IllegalArgumentException when p < 1, p > n (more stages than layers) or a cost is negative or not finite
     */
    int[] partition(double[] costs, int stages);

    /** The cost of the slowest stage of {@code cuts}. */
    static double slowest(double[] costs, int[] cuts) {
        double worst = 0;
        for (int s = 0; s + 1 < cuts.length; s++) worst = Math.max(worst, stageCost(costs, cuts, s));
        return worst;
    }

    /** The cost of stage {@code s} of {@code cuts}: Σ costs[cuts[s] .. cuts[s+1]-1]. */
    static double stageCost(double[] costs, int[] cuts, int s) {
        double sum = 0;
        for (int i = cuts[s]; i < cuts[s + 1]; i++) sum += costs[i];
        return sum;
    }

    /** Checks costs and p, with the messages of {@link #partition}. */
    static void check(double[] costs, int stages) {
        if (costs == null || costs.length == 0) {
            throw new IllegalArgumentException("partition: expected at least one unit's cost, got none");
        }
        for (int i = 0; i < costs.length; i++) {
            if (!(costs[i] >= 0) || Double.isInfinite(costs[i])) {
                throw new IllegalArgumentException("partition: cost of unit " + i + " is " + costs[i]
                        + "; expected a finite value >= 0");
            }
        }
        if (stages < 1 || stages > costs.length) {
            throw new IllegalArgumentException("partition: cannot cut " + costs.length + " units into " + stages
                    + " non-empty stages (more stages than layers?); expected 1 <= p <= " + costs.length);
        }
    }
}
