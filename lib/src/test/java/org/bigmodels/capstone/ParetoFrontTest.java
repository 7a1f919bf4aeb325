package org.bigmodels.capstone;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Pareto front against its definition checked pair by pair (O(n²), no sorting). */
class ParetoFrontTest {
    /** The definition: i is on the front unless some j is no larger, no less accurate and differs (or is an earlier duplicate). */
    static List<Integer> bruteForce(double[] size, double[] acc) {
        List<Integer> front = new ArrayList<>();
        for (int i = 0; i < size.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < size.length && !dominated; j++) {
                if (j == i) continue;
                boolean noWorse = size[j] <= size[i] && acc[j] >= acc[i];
                boolean better = size[j] < size[i] || acc[j] > acc[i];
                dominated = noWorse && (better || j < i);
            }
            if (!dominated) front.add(i);
        }
        front.sort((a, b) -> Double.compare(size[a], size[b]));
        return front;
    }

    @Test
    void matchesTheDefinitionOnRandomPointsWithTies() {
        Random rng = new Random(17);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rng.nextInt(12);
            double[] size = new double[n], acc = new double[n];
            for (int i = 0; i < n; i++) {
                size[i] = 1 + rng.nextInt(6);           // few distinct values: ties on both axes
                acc[i] = rng.nextInt(5) / 4.0;
            }
            assertEquals(bruteForce(size, acc), java.util.Arrays.stream(ParetoFront.of(size, acc)).boxed().toList(),
                    "sizes " + java.util.Arrays.toString(size) + " accuracies " + java.util.Arrays.toString(acc));
        }
    }

    @Test
    void aSmallerAndMoreAccurateModelRemovesTheOthers() {
        assertArrayEquals(new int[] {2}, ParetoFront.of(new double[] {10, 5, 1}, new double[] {0.9, 0.95, 0.99}));
        assertArrayEquals(new int[] {2, 1, 0}, ParetoFront.of(new double[] {100, 10, 1}, new double[] {0.99, 0.98, 0.9}));
        var e = assertThrows(IllegalArgumentException.class, () -> ParetoFront.of(new double[] {1, 2}, new double[] {0.5}));
        assertTrue(e.getMessage().contains("2 sizes and 1 accuracies"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParetoFront.of(new double[] {1}, new double[] {Double.NaN}));
    }

    @Test
    void infiniteValuesAndNullArraysAreRefused() {
        // a single model with accuracy -Infinity used to give an empty front (no model beat the initial -Infinity)
        var e = assertThrows(IllegalArgumentException.class,
                () -> ParetoFront.of(new double[] {1}, new double[] {Double.NEGATIVE_INFINITY}));
        assertTrue(e.getMessage().contains("model 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParetoFront.of(new double[] {Double.POSITIVE_INFINITY}, new double[] {0.5}));
        assertThrows(IllegalArgumentException.class, () -> ParetoFront.of(null, new double[0]));
        assertThrows(IllegalArgumentException.class, () -> ParetoFront.of(new double[0], null));
        assertArrayEquals(new int[0], ParetoFront.of(new double[0], new double[0]), "no models, an empty front");
    }
}
