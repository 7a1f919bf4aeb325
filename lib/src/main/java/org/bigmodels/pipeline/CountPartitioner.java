package org.bigmodels.pipeline;

/**
 * The naive split: p stages of (nearly) equal unit counts, ignoring the costs; the first n mod p stages get one
 * unit more. Fine when every unit costs the same, wrong when they do not (an embedding is nearly free, a large
 * vocabulary head is not).
 */
public final class CountPartitioner implements StagePartitioner {
    @Override
    public int[] partition(double[] costs, int stages) {
        StagePartitioner.check(costs, stages);
        int n = costs.length;
        int[] cuts = new int[stages + 1];
        for (int s = 0; s < stages; s++) cuts[s + 1] = cuts[s] + n / stages + (s < n % stages ? 1 : 0);
        return cuts;
    }
}
