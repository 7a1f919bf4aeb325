package org.bigmodels.comm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An all-reduce algorithm: after every rank calls {@link #allReduce} with its own array, every rank's array holds the
 * element-wise sum over all ranks. The course compares three, side by side: {@link NaiveAllReduce} (reduce to one
 * rank, broadcast back), {@link TreeAllReduce} (binomial trees) and {@link RingAllReduce} (reduce-scatter then
 * all-gather). Their traffic and α–β time are in {@link CostModel}.
 *
 * <p>Written against {@link Communicator}'s send and receive only, so an algorithm runs unchanged on threads and on
 * processes; a learner's own ring (exercise 05) implements this interface.
 */
public interface AllReduce {

    /**
     * Sums {@code data} over all ranks, in place on every rank.
     *
     * @param comm this rank's communicator
     * @param data flat (or contiguous row-major) FLOAT or DOUBLE array, same length and type on every rank
     * @throws CommunicationException when a peer fails or sends an array of another length or type
     * @throws IllegalArgumentException for null or an unsupported type
     */
    void allReduce(Communicator comm, INDArray data);

    /** A short name for tables and plots ("naive", "tree", "ring"). */
    default String name() {
        return getClass().getSimpleName();
    }
}
