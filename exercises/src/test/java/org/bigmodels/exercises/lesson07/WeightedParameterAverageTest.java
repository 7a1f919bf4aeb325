package org.bigmodels.exercises.lesson07;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigmodels.dl4j.Dl4jBridge;
import org.bigmodels.grading.Graded;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Graded tests for exercise 07.1. References: a plain double loop over the elements, and DL4J itself (one SGD step on
 * all the examples together versus the weighted average of one step per uneven shard).
 */
class WeightedParameterAverageTest {

    static INDArray rand(Random rng, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        return Nd4j.createFromArray(rng.doubles(n, -2, 2).toArray()).reshape('c', shape);
    }

    /** The plain-loop reference: sum over workers of n_w·x_w[i], divided by the total, element by element. */
    static double[] loop(List<INDArray> xs, long[] n) {
        int len = (int) xs.get(0).length();
        double[] out = new double[len];
        long total = 0;
        for (long c : n) total += c;
        for (int w = 0; w < xs.size(); w++) {
            double[] v = xs.get(w).ravel().toDoubleVector();
            for (int i = 0; i < len; i++) out[i] += n[w] * v[i];
        }
        for (int i = 0; i < len; i++) out[i] /= total;
        return out;
    }

    static double[] equalWeights(List<INDArray> xs) {
        int len = (int) xs.get(0).length();
        double[] out = new double[len];
        for (INDArray x : xs) {
            double[] v = x.ravel().toDoubleVector();
            for (int i = 0; i < len; i++) out[i] += v[i] / xs.size();
        }
        return out;
    }

    static double maxDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    static void checkAgainstLoop(List<INDArray> xs, long[] n, String what) {
        List<INDArray> copies = new ArrayList<>();
        for (INDArray x : xs) copies.add(x.dup());
        INDArray got = WeightedParameterAverage.average(xs, n);
        assertArrayEquals(xs.get(0).shape(), got.shape(), what + ": the average must have the workers' shape");
        double[] g = got.ravel().toDoubleVector(), want = loop(xs, n);
        if (maxDiff(g, want) > 1e-12) {
            if (maxDiff(g, equalWeights(xs)) < 1e-12) {
                fail(what + ": you averaged with equal weights (the plain mean, as ParallelWrapper does); with uneven "
                        + "shards weight each worker's parameters by its number of examples, then divide by the total");
            }
            fail(what + ": not the example-weighted average; largest difference from sum(n_w·theta_w)/N is "
                    + maxDiff(g, want));
        }
        for (int w = 0; w < xs.size(); w++) {
            assertTrue(xs.get(w).equals(copies.get(w)), what + ": worker " + w + "'s parameters were changed; build the "
                    + "average in a new array (in-place ops like addi/muli on the inputs change the replicas)");
        }
    }

    @Graded(id = "07.1", points = 4, title = "uneven shards: each worker weighted by its examples (vs a plain loop)")
    void weightedByExamples() {
        Random rng = new Random(7);
        List<INDArray> xs = List.of(rand(rng, 3, 4), rand(rng, 3, 4), rand(rng, 3, 4));
        checkAgainstLoop(xs, new long[] {10, 30, 60}, "3 workers with 10, 30 and 60 examples");
        checkAgainstLoop(List.of(rand(rng, 7), rand(rng, 7)), new long[] {1, 1000}, "2 workers, 1 and 1000 examples");
        checkAgainstLoop(List.of(rand(rng, 2, 5)), new long[] {13}, "1 worker");
        checkAgainstLoop(List.of(rand(rng, 5), rand(rng, 5), rand(rng, 5)), new long[] {4, 0, 4},
                "a worker with no examples has no say");
    }

    @Graded(id = "07.1", points = 3, title = "one SGD step per uneven shard, averaged, is one step on all the examples")
    void equalsOneStepOnTheUnion() {
        MLP mlp = new MLP(new long[] {5, 6, 3}, Activation.TANH, DataType.DOUBLE, 3);
        MultiLayerNetwork start = Dl4jBridge.toMultiLayerNetwork(mlp, new Sgd(0.5));
        Random rng = new Random(11);
        int[] sizes = {2, 5, 9};
        List<DataSet> shards = new ArrayList<>();
        List<INDArray> stepped = new ArrayList<>();
        long[] n = new long[sizes.length];
        for (int w = 0; w < sizes.length; w++) {
            INDArray x = rand(rng, sizes[w], 5);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, sizes[w], 3);
            for (int i = 0; i < sizes[w]; i++) y.putScalar(i, rng.nextInt(3), 1.0);
            DataSet shard = new DataSet(x, y);
            shards.add(shard);
            MultiLayerNetwork replica = start.clone();
            replica.fit(shard); // one step on the mean gradient of its own shard
            stepped.add(replica.params().dup());
            n[w] = sizes[w];
        }
        MultiLayerNetwork union = start.clone();
        union.fit(DataSet.merge(shards)); // one step on the mean gradient of all 16 examples
        double[] want = union.params().ravel().toDoubleVector();
        double[] got = WeightedParameterAverage.average(stepped, n).ravel().toDoubleVector();
        if (maxDiff(got, want) > 1e-10) {
            if (maxDiff(got, equalWeights(stepped)) < 1e-12) {
                fail("equal weights: the plain mean of the replicas is not the step on all the examples when the "
                        + "shards are uneven (2, 5, 9 examples); weight each replica by its shard size");
            }
            fail("the weighted average of the replicas should equal one SGD step on the 16 examples together; largest "
                    + "difference " + maxDiff(got, want));
        }
    }

    @Graded(id = "07.1", points = 2, title = "bad input: clear errors, no silent NaN")
    void badInput() {
        INDArray a = Nd4j.ones(DataType.DOUBLE, 3), b = Nd4j.ones(DataType.DOUBLE, 3);
        expectRefused(() -> WeightedParameterAverage.average(List.of(), new long[0]), "no workers");
        expectRefused(() -> WeightedParameterAverage.average(List.of(a, b), new long[] {1}),
                "2 workers but 1 example count");
        expectRefused(() -> WeightedParameterAverage.average(List.of(a, Nd4j.ones(DataType.DOUBLE, 4)), new long[] {1, 1}),
                "arrays of different shapes ([3] and [4])");
        expectRefused(() -> WeightedParameterAverage.average(List.of(a, b), new long[] {3, -1}), "a negative count");
        expectRefused(() -> WeightedParameterAverage.average(List.of(a, b), new long[] {0, 0}),
                "all counts 0 (the average would be 0/0 = NaN)");
    }

    static void expectRefused(Runnable call, String what) {
        var e = assertThrows(IllegalArgumentException.class, call::run,
                "expected an IllegalArgumentException for " + what);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "the error for " + what + " needs a message");
    }
}
