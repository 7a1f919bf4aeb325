package org.bigmodels.paramserver;

/** What a worker computes: the gradient of its loss on its own data for one step, at the parameters it pulled. */
@FunctionalInterface
public interface WorkerGradient {

    /**
     * @param worker the worker (0-based), which picks its shard of the data
     * @param step the worker's step (0-based), which picks its batch
     * @param parameters the pulled parameters, float[P][length_p] (the caller's copy)
     * @return the gradient, float[P][length_p], finite
     */
    float[][] gradient(int worker, int step, float[][] parameters);
}
