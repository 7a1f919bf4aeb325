package org.bigmodels.exercises.lesson11;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.bigmodels.grading.Graded;

/**
 * Graded tests for exercise 11.1. Reference: per-example gradient vectors drawn at random, dealt to partitions of
 * uneven sizes; each partition's mean computed with plain loops; the expected sum and mean are taken over the
 * examples themselves (never over the partitions), so they do not depend on how the aggregation is written.
 */
class StudentGradientAggregationTest {
    static final int L = 5;

    /** Per-example gradients of partitions with these sizes: [partition][example][i]. */
    static double[][][] examples(int[] sizes, long seed) {
        Random rnd = new Random(seed);
        double[][][] e = new double[sizes.length][][];
        for (int p = 0; p < sizes.length; p++) {
            e[p] = new double[sizes[p]][L];
            for (double[] g : e[p]) for (int i = 0; i < L; i++) g[i] = rnd.nextInt(201) / 4.0 - 25;
        }
        return e;
    }

    static double[][] means(double[][][] e) {
        double[][] m = new double[e.length][L];
        for (int p = 0; p < e.length; p++) {
            for (int i = 0; i < L; i++) {
                double s = 0;
                for (double[] g : e[p]) s += g[i];
                m[p][i] = s / e[p].length; // 0/0 = NaN for an empty partition, as a real one reports
            }
        }
        return m;
    }

    static long[] counts(int[] sizes) {
        long[] c = new long[sizes.length];
        for (int p = 0; p < sizes.length; p++) c[p] = sizes[p];
        return c;
    }

    static double[] exampleSum(double[][][] e) {
        double[] s = new double[L];
        for (double[][] part : e) for (double[] g : part) for (int i = 0; i < L; i++) s[i] += g[i];
        return s;
    }

    static double[] call(String what, java.util.function.Supplier<double[]> f) {
        try {
            return f.get();
        } catch (UnsupportedOperationException e) {
            fail(e.getMessage());
            return null;
        }
    }

    static void check(double[] expected, double[] got, String what, String misconception) {
        if (got == null || got.length != expected.length) {
            fail(what + ": expected an array of length " + expected.length + ", got "
                    + (got == null ? "null" : got.length));
        }
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(got[i])) {
                fail(what + ": element " + i + " is NaN -- an empty partition's mean (0/0 = NaN) was multiplied by "
                        + "its count 0 instead of being skipped");
            }
            if (Math.abs(expected[i] - got[i]) > 1e-9 * Math.max(1, Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + expected[i] + ". " + misconception);
            }
        }
    }

    @Graded(id = "11.1", points = 3, title = "weighted sum of uneven partitions == the sum over every example")
    void weightedSumEqualsTheSumOverExamples() {
        int[] sizes = {7, 1, 3, 12};
        double[][][] e = examples(sizes, 1);
        double[] got = call("weightedSum", () -> StudentGradientAggregation.weightedSum(means(e), counts(sizes)));
        check(exampleSum(e), got, "weightedSum with partition sizes 7, 1, 3, 12",
                "Each partition must contribute n_p times its mean gradient (the sum of its examples' gradients); "
                        + "adding the means alone drops the counts");
    }

    @Graded(id = "11.1", points = 4, title = "global mean weights partitions by their example counts")
    void globalMeanIsTheMeanOverExamples() {
        int[] sizes = {9, 2, 5};
        double[][][] e = examples(sizes, 2);
        double[] expected = exampleSum(e);
        for (int i = 0; i < L; i++) expected[i] /= 16;
        double[] got = call("globalMean", () -> StudentGradientAggregation.globalMean(means(e), counts(sizes)));
        double[][] m = means(e);
        double[] equalWeights = new double[L];
        for (int i = 0; i < L; i++) equalWeights[i] = (m[0][i] + m[1][i] + m[2][i]) / 3;
        boolean isEqualWeights = got != null && got.length == L && Math.abs(got[0] - equalWeights[0]) < 1e-12
                && Math.abs(got[0] - expected[0]) > 1e-9;
        check(expected, got, "globalMean with partition sizes 9, 2, 5", isEqualWeights
                ? "You averaged the partitions' means with equal weights (divided by the number of partitions): the 2 "
                + "examples of partition 1 then count as much as the 9 of partition 0"
                : "Divide the weighted sum by the total number of examples (16)");
    }

    @Graded(id = "11.1", points = 2, title = "an empty partition (mean NaN, count 0) contributes nothing")
    void emptyPartitionIsSkipped() {
        int[] sizes = {4, 0, 6};
        double[][][] e = examples(sizes, 3);
        double[] expected = exampleSum(e);
        for (int i = 0; i < L; i++) expected[i] /= 10;
        double[] got = call("globalMean", () -> StudentGradientAggregation.globalMean(means(e), counts(sizes)));
        check(expected, got, "globalMean with an empty partition (sizes 4, 0, 6)",
                "An empty partition adds no example: it must change neither the sum nor the count");
    }

    @Graded(id = "11.1", points = 1, title = "no example at all, or mismatched shapes: a clear IllegalArgumentException")
    void badInputsAreRefused() {
        try {
            assertThrows(IllegalArgumentException.class,
                    () -> StudentGradientAggregation.globalMean(new double[][]{{Double.NaN}, {Double.NaN}}, new long[]{0, 0}),
                    "every partition is empty: there is no mean gradient; expected an IllegalArgumentException, not NaN");
            assertThrows(IllegalArgumentException.class,
                    () -> StudentGradientAggregation.weightedSum(new double[][]{{1, 2}, {3}}, new long[]{1, 1}),
                    "gradients of lengths 2 and 1 come from different models: expected an IllegalArgumentException");
            assertThrows(IllegalArgumentException.class,
                    () -> StudentGradientAggregation.weightedSum(new double[][]{{1}, {3}}, new long[]{1}),
                    "2 gradients but 1 count: expected an IllegalArgumentException");
        } catch (UnsupportedOperationException e) {
            fail(e.getMessage());
        }
    }
}
