package org.bigmodels.exercises.lesson04;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.bigmodels.grading.Graded;

/**
 * Graded tests for exercise 04.1. References: counts and probabilities worked out by hand, closed forms (a model
 * without data is uniform and scores ln V), and counts made here with a map of pair strings.
 */
class BigramTest {

    /** "abcaba" with a=0, b=1, c=2 and an unused token 3: pairs ab, bc, ca, ab, ba. */
    static final int[] TRAIN = {0, 1, 2, 0, 1, 0};
    static final int V = 4;

    @Graded(id = "04.1", points = 2, title = "counts of a hand-worked sequence")
    void handCounts() {
        Bigram m = new Bigram(TRAIN.clone(), V, 0.5);
        long[][] expected = new long[V][V];
        expected[0][1] = 2; // a -> b twice
        expected[1][2] = 1; // b -> c
        expected[2][0] = 1; // c -> a
        expected[1][0] = 1; // b -> a
        if (m.count(1, 0) == 2 && m.count(0, 1) == 1) {
            fail("count(prev, next) is transposed: count(0, 1) must be how often 1 FOLLOWS 0");
        }
        long total = 0;
        for (int a = 0; a < V; a++) {
            for (int b = 0; b < V; b++) {
                assertEquals(expected[a][b], m.count(a, b), "count(" + a + ", " + b + ") in a b c a b a");
                total += m.count(a, b);
            }
        }
        assertEquals(TRAIN.length - 1, total, "a sequence of n tokens has n - 1 consecutive pairs");
    }

    @Graded(id = "04.1", points = 2, title = "add-k probabilities by hand; every row sums to 1")
    void handProbabilities() {
        Bigram m = new Bigram(TRAIN.clone(), V, 0.5);
        // row a: 2 pairs, denominator 2 + 0.5·4 = 4
        assertEquals(2.5 / 4, m.probability(0, 1), 1e-15, "P(b | a) = (2 + 0.5) / (2 + 0.5·4)");
        assertEquals(0.5 / 4, m.probability(0, 0), 1e-15, "P(a | a), never seen: k / (2 + k·V)");
        if (Math.abs(m.probability(0, 1) - 2.5 / (5 + 0.5 * 16)) < 1e-12) {
            fail("P(b | a) was normalised by all pairs: divide by the pairs that START with a (a conditional"
                    + " probability), plus k·V");
        }
        assertEquals(1.5 / 4, m.probability(1, 2), 1e-15, "P(c | b)");
        assertEquals(1.5 / 3, m.probability(2, 0), 1e-15, "P(a | c): 1 pair, denominator 1 + 0.5·4 = 3");
        assertEquals(0.25, m.probability(3, 2), 1e-15, "P(c | d): d never appears, so its row is uniform, 1/V");
        for (int a = 0; a < V; a++) {
            double sum = 0;
            for (int b = 0; b < V; b++) {
                sum += m.probability(a, b);
            }
            assertEquals(1.0, sum, 1e-12, "row " + a + " of P(next | prev) must sum to 1");
        }
    }

    @Graded(id = "04.1", points = 2, title = "mean NLL in nats: hand case and the uniform model's ln V")
    void meanNll() {
        Bigram m = new Bigram(TRAIN.clone(), V, 0.5);
        int[] heldOut = {0, 1, 0, 3};
        double expected = -(Math.log(2.5 / 4) + Math.log(1.5 / 4) + Math.log(0.5 / 4)) / 3;
        double got = m.meanNll(heldOut.clone());
        if (Math.abs(got - expected / Math.log(2)) < 1e-9) {
            fail("meanNll is in bits (log base 2); the course measures loss in nats (natural log)");
        }
        if (Math.abs(got - expected * 3 / 4) < 1e-9) {
            fail("meanNll divided by the number of tokens (4); there are 3 predictions, one per consecutive pair");
        }
        assertEquals(expected, got, 1e-12, "-(ln P(b|a) + ln P(a|b) + ln P(d|a)) / 3 for a b a d");

        Bigram uniform = new Bigram(new int[] {2}, 5, 1.0); // one token: no pairs, every row uniform
        assertEquals(Math.log(5), uniform.meanNll(new int[] {0, 4, 4, 1, 3, 2}), 1e-12,
                "a model with no pairs predicts 1/V everywhere: its loss is ln V = ln 5");
        Bigram flat = new Bigram(TRAIN.clone(), V, 1e12);
        assertEquals(Math.log(V), flat.meanNll(heldOut.clone()), 1e-9, "a huge k flattens every row: loss -> ln V");
    }

    @Graded(id = "04.1", points = 1, title = "a Markov text: matches counts made independently")
    void matchesIndependentCounts() {
        int vocab = 6;
        Random r = new Random(5);
        int[] train = markov(r, 3000, vocab);
        int[] test = markov(r, 500, vocab);
        double k = 0.1;
        Map<String, Integer> pairs = new HashMap<>();
        Map<Integer, Integer> starts = new HashMap<>();
        for (int i = 0; i + 1 < train.length; i++) {
            pairs.merge(train[i] + ">" + train[i + 1], 1, Integer::sum);
            starts.merge(train[i], 1, Integer::sum);
        }
        double nll = 0;
        for (int i = 0; i + 1 < test.length; i++) {
            double p = (pairs.getOrDefault(test[i] + ">" + test[i + 1], 0) + k)
                    / (starts.getOrDefault(test[i], 0) + k * vocab);
            nll -= Math.log(p);
        }
        nll /= test.length - 1;
        Bigram m = new Bigram(train, vocab, k);
        assertEquals(nll, m.meanNll(test), 1e-10, "held-out loss compared with counts made with a map");
        assertTrue(m.meanNll(test) < Math.log(vocab) - 0.3, "on a text with structure the bigram beats ln V");
    }

    /** Each token is followed by (itself + 1) mod V with probability 0.7, else by a uniform token. */
    static int[] markov(Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 1; i < n; i++) {
            t[i] = r.nextDouble() < 0.7 ? (t[i - 1] + 1) % vocab : r.nextInt(vocab);
        }
        return t;
    }

    @Graded(id = "04.1", points = 1, title = "sample follows P(next | prev)")
    void sampleFrequencies() {
        Bigram m = new Bigram(TRAIN.clone(), V, 0.5);
        Random rng = new Random(9);
        int n = 40_000;
        int[] seen = new int[V];
        for (int i = 0; i < n; i++) {
            int s = m.sample(0, rng);
            assertTrue(s >= 0 && s < V, "sample returned " + s + ", outside the vocabulary");
            seen[s]++;
        }
        for (int b = 0; b < V; b++) {
            double p = m.probability(0, b);
            double se = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, seen[b] / (double) n, 5 * se,
                    "share of token " + b + " among " + n + " samples after token 0 (5 standard errors allowed)");
        }
    }

    @Graded(id = "04.1", points = 1, title = "bad inputs: tokens outside V, k <= 0, too short")
    void rejectsBadInputs() {
        assertThrows(IllegalArgumentException.class, () -> new Bigram(new int[] {0, 4, 1}, 4, 1), "token 4 with V = 4");
        assertThrows(IllegalArgumentException.class, () -> new Bigram(new int[] {0, -1}, 4, 1), "token -1");
        assertThrows(IllegalArgumentException.class, () -> new Bigram(TRAIN.clone(), V, 0),
                "k = 0: unseen pairs would get probability 0 and an infinite loss");
        assertThrows(IllegalArgumentException.class, () -> new Bigram(TRAIN.clone(), V, Double.NaN), "k = NaN");
        assertThrows(IllegalArgumentException.class, () -> new Bigram(TRAIN.clone(), 0, 1), "V = 0");
        Bigram m = new Bigram(TRAIN.clone(), V, 1);
        assertThrows(IllegalArgumentException.class, () -> m.meanNll(new int[] {2}), "one token: no prediction");
        assertThrows(IllegalArgumentException.class, () -> m.meanNll(new int[] {0, 7}), "held-out token 7 with V = 4");
    }
}
