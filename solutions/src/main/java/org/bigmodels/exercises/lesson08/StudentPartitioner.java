package org.bigmodels.exercises.lesson08;

import java.util.Arrays;
import org.bigmodels.pipeline.StagePartitioner;

/** Solution of exercise 08.2: dynamic programming over (stages, prefix length) with prefix sums. */
public final class StudentPartitioner implements StagePartitioner {
    @Override
    public int[] partition(double[] costs, int stages) {
        StagePartitioner.check(costs, stages);
        int n = costs.length;
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + costs[i];
        double[][] best = new double[stages + 1][n + 1];
        int[][] cut = new int[stages + 1][n + 1];
        for (double[] row : best) Arrays.fill(row, Double.POSITIVE_INFINITY);
        best[0][0] = 0;
        for (int k = 1; k <= stages; k++) {
            for (int i = k; i <= n; i++) {
                for (int j = k - 1; j < i; j++) {
                    double v = Math.max(best[k - 1][j], prefix[i] - prefix[j]);
                    if (v < best[k][i]) {
                        best[k][i] = v;
                        cut[k][i] = j;
                    }
                }
            }
        }
        int[] cuts = new int[stages + 1];
        cuts[stages] = n;
        for (int k = stages; k >= 1; k--) cuts[k - 1] = cut[k][cuts[k]];
        return cuts;
    }
}
