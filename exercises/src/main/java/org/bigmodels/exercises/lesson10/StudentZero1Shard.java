package org.bigmodels.exercises.lesson10;

import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.bigmodels.memory.OptimizerShard;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 10.1 (lesson 10-memory-and-zero): ZeRO stage 1 (Rajbhandari et al., "ZeRO: Memory Optimizations Toward
 * Training Trillion Parameter Models", SC 2020, section 5.1, P_os) for one flat parameter vector of length L, on W
 * data-parallel ranks. Plain data parallelism keeps Adam's m and v for all L parameters on every rank (8 bytes per
 * parameter in float32); here rank r keeps them for its slice only, and the ranks together hold them once.
 *
 * <p>One step, on every rank at once:
 * <ol>
 *   <li>the local gradients are <b>reduce-scattered</b> ({@link Communicator#reduceScatter}): afterwards slice r of
 *       the array holds, on rank r, the SUM over the ranks of that slice; divide by W for the mean;</li>
 *   <li>rank r applies <b>AdamW</b> to its slice of the parameters only, with m and v of the slice's length, created
 *       as zeros on the first step; per element, with step count t (1 on the first step):
 *       <pre>
 *   m = b1·m + (1-b1)·g;  v = b2·v + (1-b2)·g²;  w = w·(1 - lr·wd) - (lr/(1-b1^t)) · m / (sqrt(v/(1-b2^t)) + eps)
 *       </pre>
 *       (the formula of the library's {@code Adam.adamW}, to which the graded tests compare you);</li>
 *   <li>the updated slices are <b>all-gathered</b> ({@link Communicator#allGather}) into {@code params}: every rank
 *       ends with the same whole updated vector, as plain data parallelism would.</li>
 * </ol>
 * The slices must be the ones the communicator's reduce-scatter and all-gather use ({@link Chunks#bounds}): balanced
 * (sizes differ by at most one, the larger ones first) and contiguous, covering [0, L) without overlap. {@link
 * Chunks#chunk} gives a view of slice r that writes through to the array.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 10}.
 */
public final class StudentZero1Shard implements OptimizerShard {
    private final double lr, beta1, beta2, eps, weightDecay;
    // your state: m and v for this rank's slice only, and the step count

    /** AdamW with these hyperparameters (weightDecay: decoupled, applied to every element of the vector). */
    public StudentZero1Shard(double lr, double beta1, double beta2, double eps, double weightDecay) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /**
     * The W + 1 boundaries of the slices: b[0] = 0, b[W] = length, slice r = [b[r], b[r+1]).
     *
     * @throws IllegalArgumentException if length &lt; 0 or worldSize &lt; 1
     */
    @Override
    public long[] shardBounds(long length, int worldSize) {
        throw new UnsupportedOperationException("not implemented yet: StudentZero1Shard.shardBounds -- W slices of "
                + "length/W elements each, the first length % W of them one longer, laid end to end from 0 to length "
                + "(W + 1 boundaries). Pitfall: slices of ceil(length/W) leave the last ones short or empty, and do "
                + "not match the bounds the communicator's reduce-scatter and all-gather use");
    }

    /**
     * One ZeRO-1 step: reduce-scatter the gradients, update this rank's slice, all-gather the parameters.
     *
     * @param params    this rank's copy of the parameters, flat FLOAT or DOUBLE, updated in place
     * @param localGrad this rank's gradient, same length and type; not changed
     */
    @Override
    public void step(Communicator comm, INDArray params, INDArray localGrad) {
        throw new UnsupportedOperationException("not implemented yet: StudentZero1Shard.step -- three parts: (1) "
                + "reduce-scatter a COPY of localGrad (the collective works in place) and take this rank's slice, "
                + "divided by W: the mean; (2) AdamW on this rank's slice of params only, with m and v as long as the "
                + "slice (not the whole vector: that is plain data parallelism's memory); (3) all-gather params. "
                + "Pitfalls: without the all-gather each rank has only its own slice updated, the rest stays stale; a "
                + "slice may be empty (length < W): ND4J refuses arithmetic on empty arrays, yet that rank must still "
                + "take part in both collectives");
    }

    /** Bytes of optimizer state this rank holds (m and v of its slice: 2 × slice length × bytes per element; 0 before
     * the first step). */
    @Override
    public long stateBytes() {
        throw new UnsupportedOperationException("not implemented yet: StudentZero1Shard.stateBytes -- count the "
                + "elements of m and v times the bytes of one element (dataType().width()); 0 before the first step");
    }
}
