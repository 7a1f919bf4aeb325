package org.bigmodels.memory;

import org.bigmodels.comm.Communicator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One rank's share of an optimizer whose state is partitioned over the W ranks of a data-parallel group: ZeRO stage 1
 * (Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models", SC 2020, section 5.1)
 * for one flat parameter vector. Rank r owns the slice [b[r], b[r+1]) of {@link #shardBounds}, keeps optimizer state
 * for that slice only (K·Ψ/W bytes instead of K·Ψ), updates only that slice, and the all-gather then gives every rank
 * the whole updated vector. {@link ZeroDataParallel} uses one per parameter; exercise 10.1 implements this interface.
 */
public interface OptimizerShard {

    /**
     * The W + 1 boundaries of the slices: b[0] = 0, b[W] = length, slice r = [b[r], b[r+1]). They must be the
     * boundaries the communicator's reduce-scatter and all-gather use ({@link org.bigmodels.comm.Chunks#bounds}:
     * balanced, sizes differ by at most one, the larger slices first).
     *
     * @throws IllegalArgumentException if length &lt; 0 or worldSize &lt; 1
     */
    long[] shardBounds(long length, int worldSize);

    /**
     * One ZeRO-1 step on a flat vector, a collective (every rank at once, same length): the local gradients are
     * reduce-scattered (rank r gets the MEAN over the ranks of its slice), rank r updates its slice of {@code params}
     * with its slice of the optimizer state, and the slices are all-gathered so that {@code params} is the same whole
     * updated vector on every rank. {@code localGrad} is not changed.
     *
     * @param params    this rank's copy of the parameters, flat (rank 1), FLOAT or DOUBLE, updated in place
     * @param localGrad this rank's gradient of its own mean loss, same length and type
     * @throws IllegalArgumentException if the arrays are not flat, differ in length or type
     */
    void step(Communicator comm, INDArray params, INDArray localGrad);

    /** Bytes of optimizer state this rank holds now (0 before the first step). */
    long stateBytes();
}
