package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsTest {

    /** The median by sorting, in plain code. */
    private static double medianBySorting(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    @Test
    void agreesWithPlainLoopsOnRandomSamples() {
        Random rng = new Random(5);
        for (int n = 2; n <= 12; n++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * 3 + 1;
            double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (double x : v) {
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = sum / n, squares = 0;
            for (double x : v) squares += (x - mean) * (x - mean);
            double sd = Math.sqrt(squares / (n - 1));
            assertEquals(medianBySorting(v), Stats.median(v), 1e-12, "median of " + n);
            assertEquals(mean, Stats.mean(v), 1e-12);
            assertEquals(min, Stats.min(v));
            assertEquals(max, Stats.max(v));
            assertEquals(sd, Stats.standardDeviation(v), 1e-12, "sample (n - 1) standard deviation of " + n);
            assertEquals(sd / Math.sqrt(n), Stats.standardError(v), 1e-12);
        }
    }

    @Test
    void knownValuesAndLists() {
        assertEquals(2.5, Stats.median(List.of(10.0, 1.0, 3.0, 2.0)));
        assertEquals(3.0, Stats.median(List.of(3, 1, 10)));
        assertEquals(1, Stats.argmin(3, 1, 2, 1));
        assertEquals(0, Stats.argmax(3, 1, 2, 3));
    }

    @Test
    void emptyOrNaNInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Stats.median());
        assertThrows(IllegalArgumentException.class, () -> Stats.median(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Stats.mean(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Stats.standardDeviation(1.0));
        assertThrows(IllegalArgumentException.class, () -> Stats.argmin(Double.NaN, 1));
    }
}
