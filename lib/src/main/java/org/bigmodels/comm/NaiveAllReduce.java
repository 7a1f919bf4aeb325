package org.bigmodels.comm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The naive all-reduce: every rank sends its whole array to rank 0, which adds them up and sends the sum back to
 * every rank ({@link Collectives#reduce} then {@link Collectives#broadcast}, both linear). Simple and correct, but
 * rank 0 receives and sends N−1 full arrays: its traffic grows with N while the others idle, α–β time
 * 2(N−1)(α + Sβ). The baseline the tree and the ring improve on (Thakur, Rabenseifner &amp; Gropp, "Optimization of
 * collective communication operations in MPICH", IJHPCA 19(1), 2005, §2).
 *
 * <p>Bytes sent: rank 0 sends (N−1)·S, every other rank S ({@link #bytesSent}).
 */
public final class NaiveAllReduce implements AllReduce {

    @Override
    public void allReduce(Communicator comm, INDArray data) {
        INDArray x = Collectives.flat(data, "naive all-reduce");
        Collectives.reduce(comm, x, 0);
        Collectives.broadcast(comm, x, 0);
    }

    @Override
    public String name() {
        return "naive";
    }

    /** Exact bytes rank {@code rank} sends in one naive all-reduce of {@code length} elements of {@code elementBytes}. */
    public static long bytesSent(int rank, int worldSize, long length, int elementBytes) {
        long s = length * elementBytes;
        return rank == 0 ? (worldSize - 1) * s : s;
    }
}
