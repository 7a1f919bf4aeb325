package org.bigmodels.exercises.lesson08;

import org.bigmodels.pipeline.StagePartitioner;

/**
 * Exercise 08.2 (lesson 08-pipeline-parallel): cut n layers with costs c[0..n-1] into p contiguous, non-empty stages
 * so that the slowest stage (the largest sum of its costs) is as small as possible: a pipeline runs at the pace of
 * its slowest stage (PipeDream, Narayanan et al. 2019, section 3.1). Plugs in where the library's
 * {@link StagePartitioner} goes; {@link StagePartitioner#slowest} evaluates a split.
 *
 * <p>Replace the {@code throw} with your code, then run {@code ./course grade 08}.
 */
public final class StudentPartitioner implements StagePartitioner {
    /**
     * @param costs  per-layer cost, n >= 1 values >= 0
     * @param stages p, 1 <= p <= n
     * @return p+1 cut points 0 = cuts[0] < cuts[1] < ... < cuts[p] = n; stage s = layers [cuts[s], cuts[s+1])
     * @throws IllegalArgumentException when p < 1 or p > n
     */
    @Override
    public int[] partition(double[] costs, int stages) {
        throw new UnsupportedOperationException("not implemented yet: StudentPartitioner.partition -- dynamic "
                + "programming over (number of stages k, number of leading layers i): the best split of the first i "
                + "layers into k stages ends with some last stage j..i-1. Prefix sums give any stage's cost in O(1). "
                + "Pitfalls: greedy filling up to the average is not optimal; every stage keeps at least one layer");
    }
}
