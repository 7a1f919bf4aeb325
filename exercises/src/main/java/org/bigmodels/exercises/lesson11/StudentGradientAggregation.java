package org.bigmodels.exercises.lesson11;

/**
 * Exercise 11.1 (lesson 11-spark-scale-out): aggregating the partitions' gradients, as the driver-centric trainer
 * ({@code org.bigmodels.spark.SparkSyncSgd} with {@code GradientAggregate}) does after {@code mapPartitions}.
 *
 * <p>Partition p holds n_p examples and reports its MEAN gradient ḡ_p (a vector of length L: the gradient of its
 * mean loss). The step must use the gradient of the mean loss over ALL examples, g = Σ_p n_p·ḡ_p / Σ_p n_p. Partitions
 * are rarely equal: the last batch of an epoch is short, a filter empties a partition, a file split is uneven.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 11}.
 */
public final class StudentGradientAggregation {
    private StudentGradientAggregation() {
    }

    /**
     * The example-weighted sum Σ_p n_p·ḡ_p (what treeAggregate adds up: the sum of every example's gradient).
     *
     * @param meanGradients ḡ_p for each partition p, each of the same length L (a partition with n_p = 0 may report
     *                      anything, even NaN: it has no mean)
     * @param counts        n_p >= 0 for each partition
     * @return a new array of length L
     * @throws IllegalArgumentException when the two arrays have different numbers of partitions, the gradients
     *                                  have different lengths, or a count is negative
     */
    public static double[] weightedSum(double[][] meanGradients, long[] counts) {
        throw new UnsupportedOperationException("not implemented yet: StudentGradientAggregation.weightedSum -- each "
                + "partition contributes its mean gradient times its example count (one length-L vector per partition, "
                + "summed element by element). Pitfalls: an empty partition reports a mean of 0/0 = NaN, and 0 * NaN is "
                + "NaN, so skip it instead of multiplying; check the shapes before summing");
    }

    /**
     * The global mean gradient Σ_p n_p·ḡ_p / Σ_p n_p: the gradient of the mean loss over every example.
     *
     * @return a new array of length L
     * @throws IllegalArgumentException as {@link #weightedSum}, and when there is no example at all (Σ n_p = 0),
     *                                  saying so
     */
    public static double[] globalMean(double[][] meanGradients, long[] counts) {
        throw new UnsupportedOperationException("not implemented yet: StudentGradientAggregation.globalMean -- divide "
                + "the weighted sum by the total number of examples, not by the number of partitions (averaging the "
                + "partitions' means with equal weights over-weights the examples of small partitions)");
    }
}
