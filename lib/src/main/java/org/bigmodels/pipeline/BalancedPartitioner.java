package org.bigmodels.pipeline;

/**
 * The optimal contiguous split: minimises the slowest stage's cost by dynamic programming over prefix sums.
 * best[k][i] = the smallest possible slowest stage when the first i units form k stages
 * = min over j of max(best[k-1][j], cost of units j..i-1); O(p·n²) time, exact (PipeDream, Narayanan et al. 2019,
 * section 3.1, uses the same recurrence with communication added). Among optimal splits it returns one; ties are
 * broken towards earlier cuts.
 */
public final class BalancedPartitioner implements StagePartitioner {
    @Override
    public int[] partition(double[] costs, int stages) {
        StagePartitioner.check(costs, stages);
        int n = costs.length;
        // the best split does not change when every cost is divided by the largest; dividing keeps the prefix sums
        // finite (costs near Double.MAX_VALUE would otherwise sum to infinity and every cut would look equal)
        double max = 0;
        for (double c : costs) max = Math.max(max, c);
        double scale = max > 0 ? max : 1;
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + costs[i] / scale;
        double[][] best = new double[stages + 1][n + 1];
        int[][] from = new int[stages + 1][n + 1];
        for (double[] row : best) java.util.Arrays.fill(row, Double.POSITIVE_INFINITY);
        best[0][0] = 0;
        for (int k = 1; k <= stages; k++) {
            for (int i = k; i <= n; i++) {
                for (int j = k - 1; j < i; j++) {
                    double v = Math.max(best[k - 1][j], prefix[i] - prefix[j]);
                    if (v < best[k][i]) {
                        best[k][i] = v;
                        from[k][i] = j;
                    }
                }
            }
        }
        int[] cuts = new int[stages + 1];
        cuts[stages] = n;
        for (int k = stages; k >= 1; k--) cuts[k - 1] = from[k][cuts[k]];
        return cuts;
    }
}
