package org.bigmodels.exercises.lesson07;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 07.1 (lesson 07-dl4j-parallelwrapper): parameter averaging weighted by shard size.
 *
 * <p>DL4J's ParallelWrapper averages its W replicas with equal weights, which is right when every worker trained on
 * as many examples as the others. When the shards are uneven (worker w saw n_w examples), the average that equals one
 * step on all the examples together is the weighted one:
 * <pre>
 *   theta = (n_0·theta_0 + n_1·theta_1 + ... + n_{W-1}·theta_{W-1}) / (n_0 + n_1 + ... + n_{W-1})
 * </pre>
 * (after one SGD step from common weights theta with mean gradients g_w: theta_w = theta - lr·g_w, and the weighted
 * average is theta - lr·(sum of n_w·g_w)/N, the step on the mean gradient over all N examples).
 *
 * <p>Replace the {@code throw} below with your code, then run {@code ./course grade 07}.
 */
public final class WeightedParameterAverage {

    private WeightedParameterAverage() {
    }

    /**
     * The average of the workers' parameters, each weighted by its number of examples.
     *
     * @param workerParams W &ge; 1 arrays of one shape (e.g. each replica's {@code net.params()}); left unchanged
     * @param examples     W example counts, each &ge; 0, not all 0
     * @return a new array of that shape and type
     * @throws IllegalArgumentException for no workers, W arrays but a different number of counts, arrays of different
     *                                  shapes, a negative count, or counts that are all 0
     */
    public static INDArray average(List<INDArray> workerParams, long[] examples) {
        if (workerParams == null || workerParams.isEmpty() || examples == null) {
            throw new IllegalArgumentException("WeightedParameterAverage: expected at least one worker's parameters "
                    + "and their example counts, got " + workerParams + " and " + java.util.Arrays.toString(examples));
        }
        if (examples.length != workerParams.size()) {
            throw new IllegalArgumentException("WeightedParameterAverage: expected one example count per worker ("
                    + workerParams.size() + "), got " + examples.length);
        }
        long total = 0;
        long[] shape = workerParams.get(0).shape();
        for (int w = 0; w < examples.length; w++) {
            if (examples[w] < 0) {
                throw new IllegalArgumentException("WeightedParameterAverage: expected example counts >= 0, got "
                        + examples[w] + " for worker " + w);
            }
            if (!java.util.Arrays.equals(workerParams.get(w).shape(), shape)) {
                throw new IllegalArgumentException("WeightedParameterAverage: expected every worker's parameters "
                        + "shaped " + java.util.Arrays.toString(shape) + " (worker 0's), got "
                        + java.util.Arrays.toString(workerParams.get(w).shape()) + " for worker " + w);
            }
            total += examples[w];
        }
        if (total == 0) {
            throw new IllegalArgumentException("WeightedParameterAverage: every example count is 0; nothing to "
                    + "weight the average by");
        }
        INDArray sum = workerParams.get(0).mul((double) examples[0]);
        for (int w = 1; w < examples.length; w++) sum.addi(workerParams.get(w).mul((double) examples[w]));
        return sum.divi((double) total);
    }
}
