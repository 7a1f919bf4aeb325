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
        throw new UnsupportedOperationException("not implemented yet: WeightedParameterAverage.average -- sum each "
                + "worker's array times its example count n_w, then divide by the total count N; the result has the "
                + "arrays' shape. Pitfalls: the plain mean (equal weights) is wrong for uneven shards; in-place ND4J "
                + "ops (addi, muli) on the inputs would change the workers' parameters; check the counts and shapes "
                + "first and say what was expected");
    }
}
