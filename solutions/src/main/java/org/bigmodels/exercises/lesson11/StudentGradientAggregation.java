package org.bigmodels.exercises.lesson11;

/**
 * Exercise 11.1 (lesson 11-spark-scale-out), solution: aggregating the partitions' gradients, as the driver-centric
 * trainer ({@code org.bigmodels.spark.SparkSyncSgd} with {@code GradientAggregate}) does after {@code mapPartitions}.
 *
 * <p>Partition p holds n_p examples and reports its MEAN gradient ḡ_p. The step uses the gradient of the mean loss
 * over all examples, g = Σ_p n_p·ḡ_p / Σ_p n_p.
 */
public final class StudentGradientAggregation {
    private StudentGradientAggregation() {
    }

    /** The example-weighted sum Σ_p n_p·ḡ_p; empty partitions (n_p = 0) contribute nothing, whatever they report. */
    public static double[] weightedSum(double[][] meanGradients, long[] counts) {
        if (meanGradients == null || counts == null || meanGradients.length != counts.length) {
            throw new IllegalArgumentException("weightedSum: expected one count per partition, got "
                    + (meanGradients == null ? "null" : meanGradients.length) + " gradients and "
                    + (counts == null ? "null" : counts.length) + " counts");
        }
        int length = meanGradients.length == 0 ? 0 : meanGradients[0].length;
        double[] sum = new double[length];
        for (int p = 0; p < counts.length; p++) {
            if (counts[p] < 0) {
                throw new IllegalArgumentException("weightedSum: partition " + p + " has a negative count " + counts[p]);
            }
            if (meanGradients[p].length != length) {
                throw new IllegalArgumentException("weightedSum: partition " + p + "'s gradient has length "
                        + meanGradients[p].length + ", partition 0's has " + length);
            }
            if (counts[p] == 0) continue; // no mean to weigh (it may be NaN)
            for (int i = 0; i < length; i++) sum[i] += counts[p] * meanGradients[p][i];
        }
        return sum;
    }

    /** Σ_p n_p·ḡ_p / Σ_p n_p. */
    public static double[] globalMean(double[][] meanGradients, long[] counts) {
        double[] sum = weightedSum(meanGradients, counts);
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) {
            throw new IllegalArgumentException("globalMean: no partition holds an example (all counts are 0); there "
                    + "is no mean gradient");
        }
        for (int i = 0; i < sum.length; i++) sum[i] /= total;
        return sum;
    }
}
