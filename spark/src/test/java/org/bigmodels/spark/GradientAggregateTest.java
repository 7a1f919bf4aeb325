package org.bigmodels.spark;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The aggregation of uneven partitions against the mean gradient over all examples, in plain double loops. */
class GradientAggregateTest {

    @Test
    void unevenPartitionsAreWeightedByTheirExampleCounts() {
        // per-example gradients of three partitions holding 3, 1 and 2 examples
        double[][][] perExample = {
                {{1, -2}, {3, 0}, {2, 5}},
                {{-9, 7}},
                {{0.5, 1}, {1.5, -1}}};
        double[] expected = new double[2];
        int total = 0;
        for (double[][] p : perExample) for (double[] g : p) { for (int i = 0; i < 2; i++) expected[i] += g[i]; total++; }
        for (int i = 0; i < 2; i++) expected[i] /= total;

        GradientAggregate[] parts = new GradientAggregate[perExample.length];
        for (int p = 0; p < perExample.length; p++) {
            float[] mean = new float[2];
            for (double[] g : perExample[p]) for (int i = 0; i < 2; i++) mean[i] += (float) (g[i] / perExample[p].length);
            parts[p] = GradientAggregate.ofPartition(mean, perExample[p].length, p, 10L * p);
        }
        // treeAggregate merges in any grouping: ((0 + 1) + 2) and (0 + (2 + 1)) from the zero value
        float[] a = new GradientAggregate(2).merge(parts[0]).merge(parts[1]).merge(parts[2]).meanGradient();
        GradientAggregate right = new GradientAggregate(2).merge(parts[2]).merge(parts[1]);
        float[] b = new GradientAggregate(2).merge(parts[0]).merge(right).meanGradient();
        for (int i = 0; i < 2; i++) {
            assertEquals(expected[i], a[i], 1e-5, "component " + i + ": the mean over all 6 examples (weights 3:1:2), "
                    + "not the equal-weight mean of the partitions' means");
            assertEquals(expected[i], b[i], 1e-5, "component " + i + ": merging in another order");
        }
        GradientAggregate all = new GradientAggregate(2).merge(parts[0]).merge(parts[1]).merge(parts[2]);
        assertEquals(6, all.examples());
        assertEquals((0 * 3 + 1 * 1 + 2 * 2) / 6.0, all.meanLoss(), 1e-12, "the loss is example-weighted too");
        assertEquals(20L, all.maxComputeNanos(), "the longest task's compute time, not the sum");
        assertThrows(IllegalArgumentException.class, () -> new GradientAggregate(3).merge(parts[0]));
    }
}
