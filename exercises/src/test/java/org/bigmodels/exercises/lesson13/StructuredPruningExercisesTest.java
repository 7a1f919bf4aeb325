package org.bigmodels.exercises.lesson13;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import org.bigmodels.grading.Graded;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercises 13.1 and 13.2. References: plain double loops (L1 norms, a forward pass of the masked
 * dense layer pair in which the removed neurons are zeroed).
 */
class StructuredPruningExercisesTest {
    static INDArray rand(Random rng, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, shape).castTo(DataType.DOUBLE);
    }

    @Test
    @Graded(id = "13.1", points = 2, title = "L1 neuron selection")
    void l1Selection() {
        // neuron 1 has large negative weights: a signed sum would call it unimportant, L1 keeps it
        INDArray w = Nd4j.createFromArray(new double[][] {
                {0.1, -3.0, 0.5, 0.2}, {0.1, -2.0, -0.5, 0.3}, {0.1, -1.0, 0.4, -0.2}});
        int[] kept = L1NeuronSelection.keep(w, 0.5);
        if (Arrays.equals(kept, new int[] {2, 3}) || Arrays.equals(kept, new int[] {0, 3})) {
            fail("kept " + Arrays.toString(kept) + ": you ranked by the signed sum of the weights; neuron 1 has the "
                    + "largest |weights| (L1 = 6) and must be kept");
        }
        if (kept.length == 2 && kept[0] == 0 && kept[1] == 1) {
            fail("kept [0, 1]: you scored rows (inputs) or the wrong axis; neuron j is column j of W [in, out]");
        }
        assertArrayEquals(new int[] {1, 2}, kept, "L1 norms are [0.3, 6, 1.4, 0.7]: remove the two smallest");
        Random rng = new Random(13);
        INDArray big = rand(rng, 20, 31);
        double[] l1 = new double[31];
        for (int j = 0; j < 31; j++) for (int i = 0; i < 20; i++) l1[j] += Math.abs(big.getDouble(i, j));
        int[] k = L1NeuronSelection.keep(big, 0.3);
        assertEquals(31 - Math.round(0.3 * 31), k.length, "remove round(fraction*n) neurons");
        for (int i = 1; i < k.length; i++) assertTrue(k[i] > k[i - 1], "return the kept indices in ascending order");
        double minKept = Arrays.stream(k).mapToDouble(j -> l1[j]).min().orElseThrow();
        for (int j = 0; j < 31; j++) {
            if (Arrays.binarySearch(k, j) < 0) assertTrue(l1[j] <= minKept, "removed neuron " + j + " has a larger L1 than a kept one");
        }
        assertArrayEquals(java.util.stream.IntStream.range(0, 31).toArray(), L1NeuronSelection.keep(big, 0.0),
                "fraction 0 keeps every neuron");
        assertThrows(IllegalArgumentException.class, () -> L1NeuronSelection.keep(big, 1.0), "fraction 1 must be refused");
        assertThrows(IllegalArgumentException.class, () -> L1NeuronSelection.keep(big, -0.1), "a negative fraction must be refused");
    }

    /** y = relu(x·W1 + b1)·W2 in plain loops; neurons with mask false contribute nothing. */
    static double[][] forward(INDArray x, INDArray w1, INDArray b1, INDArray w2, boolean[] mask) {
        int n = (int) x.size(0), in = (int) w1.size(0), h = (int) w1.size(1), out = (int) w2.size(1);
        double[][] y = new double[n][out];
        for (int r = 0; r < n; r++) for (int j = 0; j < h; j++) {
            if (mask != null && !mask[j]) continue;
            double z = b1.getDouble(j);
            for (int i = 0; i < in; i++) z += x.getDouble(r, i) * w1.getDouble(i, j);
            z = Math.max(0, z);
            for (int o = 0; o < out; o++) y[r][o] += z * w2.getDouble(j, o);
        }
        return y;
    }

    @Test
    @Graded(id = "13.2", points = 3, title = "Removing neurons from an MLP layer pair (the next layer's inputs too)")
    void removal() {
        Random rng = new Random(7);
        INDArray x = rand(rng, 5, 6), w1 = rand(rng, 6, 8), b1 = rand(rng, 8), w2 = rand(rng, 8, 8);
        INDArray w1c = w1.dup(), b1c = b1.dup(), w2c = w2.dup();
        int[] keep = {0, 3, 4, 7};
        INDArray[] r = NeuronRemoval.remove(w1, b1, w2, keep);
        assertEquals(3, r.length, "return {W1', b1', W2'}");
        assertTrue(w1.equals(w1c) && b1.equals(b1c) && w2.equals(w2c), "the inputs must be left unchanged");
        assertArrayEquals(new long[] {6, 4}, r[0].shape(), "W1' must be [in, kept]: keep the COLUMNS of W1");
        assertEquals(4, r[1].length(), "b1' must have one entry per kept neuron: did you forget to slice the bias?");
        if (r[2].size(0) == 8 && r[2].size(1) == 4) {
            fail("W2' is [8, 4]: you removed columns of W2 (its outputs); a hidden neuron's outgoing weights are a ROW of W2");
        }
        assertArrayEquals(new long[] {4, 8}, r[2].shape(), "W2' must be [kept, out]: keep the ROWS of W2");
        boolean[] mask = new boolean[8];
        for (int k : keep) mask[k] = true;
        double[][] ref = forward(x, w1, b1, w2, mask);
        double[][] got = forward(x, r[0], r[1], r[2], null);
        for (int i = 0; i < 5; i++) {
            for (int o = 0; o < 8; o++) {
                if (Math.abs(ref[i][o] - got[i][o]) > 1e-9) {
                    fail("output [" + i + "][" + o + "] is " + got[i][o] + ", the masked dense pair gives " + ref[i][o]
                            + ": the kept columns of W1, entries of b1 and rows of W2 must be the same neurons, in order");
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NeuronRemoval.remove(w1, b1, w2, new int[0]),
                "removing every neuron must be refused");
        assertThrows(IllegalArgumentException.class, () -> NeuronRemoval.remove(w1, b1, w2, new int[] {9}),
                "an index out of range must be refused with a clear error");
    }
}
