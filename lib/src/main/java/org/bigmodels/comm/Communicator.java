package org.bigmodels.comm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One worker's end of a group of {@link #worldSize()} workers that exchange arrays: the interface every data- and
 * model-parallel algorithm of the course is written against (05-data-parallel onwards), as PyTorch's
 * {@code torch.distributed} process group is. Two backends implement it: worker threads in one JVM
 * ({@link ThreadCommunicator}, what the notebooks use) and worker processes over TCP sockets on this machine
 * ({@link SocketCommunicator}, like {@code torchrun} with the Gloo backend).
 *
 * <p><b>Point to point</b> is all a backend must provide: {@link #send} and {@link #recv}, FIFO per ordered pair of
 * ranks. Every collective below has a default written on top of them, so a learner's own algorithm (an
 * {@link AllReduce}) plugs in the same way the library's do.
 *
 * <p><b>Rules</b> (the same as NCCL's and Gloo's): every rank calls the same collectives in the same order with arrays
 * of the same length and type; a communicator is used by one thread at a time. Arrays are flat (rank 1, or
 * viewed so), FLOAT or DOUBLE, row-major. Collectives work in place on the caller's array.
 *
 * <p><b>Errors</b>: a receive waits at most {@link #timeoutMillis()}; a peer that died, closed or is too slow gives a
 * {@link CommunicationException} naming this rank, the peer and what was awaited, never a hang. Bad arguments (a rank
 * out of range, sending to oneself, mismatched lengths or types across ranks) give an IllegalArgumentException or a
 * CommunicationException that says what was expected and what was got.
 *
 * <p><b>Accounting</b>: every byte and message sent is counted per link ({@link #bytesSent(int)},
 * {@link #messagesSent(int)}), so tests and lessons compare the traffic of an algorithm with its formula (ring
 * all-reduce: 2(N-1)/N·S bytes per rank for S bytes of data) and a {@link CostModel} turns it into modelled time.
 */
public interface Communicator extends AutoCloseable {

    /** This worker's rank, in [0, worldSize). */
    int rank();

    /** The number of workers in the group (at least 1). */
    int worldSize();

    /**
     * Sends a copy of {@code data} (flat FLOAT or DOUBLE) to rank {@code dst}; returns once the data is handed to the
     * backend (the caller may then overwrite its array). Counted as data.length() × element size bytes on the link
     * this → dst.
     */
    void send(INDArray data, int dst);

    /**
     * Receives the next array sent by rank {@code src} to this rank (FIFO per pair), waiting at most
     * {@link #timeoutMillis()}. Throws CommunicationException on a time-out or when {@code src} has failed.
     */
    INDArray recv(int src);

    /** How long a receive may wait before it fails, in milliseconds. */
    long timeoutMillis();

    /** Bytes this rank has sent to {@code peer} since creation or the last {@link #resetStats()}. */
    long bytesSent(int peer);

    /** Messages this rank has sent to {@code peer} since creation or the last {@link #resetStats()}. */
    long messagesSent(int peer);

    /** Zeroes the byte and message counters of this rank. */
    void resetStats();

    /** Bytes this rank has sent to all peers together. */
    default long totalBytesSent() {
        long sum = 0;
        for (int p = 0; p < worldSize(); p++) if (p != rank()) sum += bytesSent(p);
        return sum;
    }

    /** Waits until every rank has called barrier (a default built on send/recv of empty messages). */
    default void barrier() {
        Collectives.barrier(this);
    }

    /** Copies {@code data} of rank {@code root} into {@code data} on every rank (in place). */
    default void broadcast(INDArray data, int root) {
        Collectives.broadcast(this, data, root);
    }

    /** Sums {@code data} of every rank into {@code data} on rank {@code root}; other ranks' arrays are unchanged. */
    default void reduce(INDArray data, int root) {
        Collectives.reduce(this, data, root);
    }

    /** Sums {@code data} over all ranks, in place on every rank, with the ring algorithm ({@link RingAllReduce}). */
    default void allReduce(INDArray data) {
        new RingAllReduce().allReduce(this, data);
    }

    /**
     * Sums {@code data} over all ranks and leaves on each rank only its own chunk of the sum, in place: chunk r of
     * {@link Chunks#bounds(long, int)} holds the sum on rank r, the rest of {@code data} is undefined afterwards.
     */
    default void reduceScatter(INDArray data) {
        Collectives.reduceScatter(this, data);
    }

    /**
     * Gathers the chunks: on entry chunk r of {@code data} ({@link Chunks#bounds(long, int)}) holds rank r's part; on
     * return every rank's {@code data} holds every chunk.
     */
    default void allGather(INDArray data) {
        Collectives.allGather(this, data);
    }

    /** Releases the backend's resources (threads, sockets); further calls fail. Never throws a checked exception. */
    @Override
    void close();

    /**
     * Marks this rank as failed because of {@code cause} and releases its resources, so that peers waiting on it fail
     * at once with a CommunicationException naming this rank and the cause (NCCL's {@code ncclCommAbort}). The
     * runners ({@link WorkerThreads}, {@link Launcher}'s workers) call it when a worker's code throws. The default
     * just closes; backends tell their peers why.
     */
    default void abort(Throwable cause) {
        close();
    }
}
