package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class MetricsTest {

    /** The standard deviation of the share right out of n, from the binomial distribution summed term by term. */
    private static double binomialStandardDeviationOfShare(double p, int n) {
        double variance = 0;
        for (int k = 0; k <= n; k++) {
            double logChoose = 0;
            for (int i = 1; i <= k; i++) logChoose += Math.log(n - k + i) - Math.log(i);
            double pmf = Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p));
            variance += pmf * (k / (double) n - p) * (k / (double) n - p);
        }
        return Math.sqrt(variance);
    }

    @Test
    void accuracyStandardErrorIsTheBinomialSpread() {
        for (double p : new double[] {0.3, 0.9, 0.98}) {
            for (int n : new int[] {20, 500}) {
                assertEquals(binomialStandardDeviationOfShare(p, n), Metrics.accuracyStandardError(p, n), 1e-9,
                        "p = " + p + ", n = " + n);
            }
        }
        // MNIST: about 0.14 percentage points at 98 % on 10,000 images
        assertEquals(0.0014, Metrics.accuracyStandardError(0.98, 10_000), 0.00001);
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracyStandardError(1.2, 10));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracyStandardError(0.5, 0));
    }

    @Test
    void accuracyOfScoresTakesEachRowsLargestColumn() {
        var scores = Nd4j.createFromArray(new float[][] {{0.1f, 0.9f}, {2f, -1f}, {0f, 3f}});
        assertEquals(2.0 / 3, Metrics.accuracy(scores, new int[] {1, 0, 0}), 1e-12);
    }
}
