package org.bigmodels.comm;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * All-reduce without messages, for ranks that share one address space (the workers of {@link ThreadCommunicator}).
 * Every rank publishes its array ({@link ThreadCommunicator#shareWithGroup}); the array is cut into N chunks as in
 * {@link RingAllReduce}, and then:
 * <ol>
 *   <li><b>reduce-scatter, in place</b>: rank r adds chunk r of every peer's array into its own chunk r, reading the
 *       peers' memory directly; barrier;</li>
 *   <li><b>all-gather, in place</b>: rank r copies chunk p of rank p's array (now the full sum) into its own chunk p,
 *       for every peer p; barrier (after it no rank reads another's array, so every rank may write its own again).</li>
 * </ol>
 * The ring moves the same chunks, but as messages: each is copied into a message buffer by the sender, then added or
 * copied again by the receiver. Reading the peer directly removes that copy: for an array of S bytes each rank reads
 * and writes 5(N−1)/N·S bytes of memory (per peer chunk: read two and write one to add, read one and write one to
 * copy) instead of the ring's 9(N−1)/N·S (its sender's copy into the message adds a read and a write at each of its
 * 2(N−1) steps), and waits at 3 barriers instead of exchanging 2(N−1) messages. This is
 * what communication libraries do inside one machine (NCCL's peer-to-peer and shared-memory transports, MPI's
 * shared-memory collectives); the course measures it in {@code ./course bench dp}.
 *
 * <p>No data race: a rank writes only its own array, and only chunks no peer reads in the same phase. In phase 1
 * rank r writes its chunk r and peer p reads chunk p of rank r's array; in phase 2 rank r writes its chunks p ≠ r
 * and every peer reads its chunk r. The barriers order the phases. Each chunk is summed once, by its owner, and
 * copied by the others, so every rank ends with bit-identical values.
 *
 * <p>Works only with a {@link ThreadCommunicator}; sends no message (the communicator's byte and message counters do
 * not move). Errors: an IllegalArgumentException for another communicator, null or an unsupported type; a
 * CommunicationException on every rank when the ranks pass arrays of different lengths or types, when a peer fails,
 * or after the communicator's time-out.
 */
public final class SharedMemoryAllReduce implements AllReduce {

    /**
     * Sums {@code data} over all ranks, in place on every rank.
     *
     * @param comm this rank's {@link ThreadCommunicator}
     * @param data flat (or contiguous row-major) FLOAT or DOUBLE array, same length and type on every rank
     */
    @Override
    public void allReduce(Communicator comm, INDArray data) {
        ThreadCommunicator t = requireThreads(comm);
        INDArray x = Collectives.flat(data, "shared-memory all-reduce");
        int n = t.worldSize();
        int r = t.rank();
        List<INDArray> all = t.shareWithGroup(x);                         // barrier 1: every array published
        for (int p = 0; p < n; p++) {
            INDArray a = all.get(p);
            if (a.length() != x.length() || a.dataType() != x.dataType()) {
                throw new CommunicationException("rank " + r + ": shared-memory all-reduce: rank " + p + " passed "
                        + a.length() + " " + a.dataType() + " elements, this rank " + x.length() + " "
                        + x.dataType() + "; every rank must pass arrays of the same length and type to a collective");
            }
        }
        long[] b = Chunks.bounds(x.length(), n);
        INDArray mine = Chunks.chunk(x, b, r);
        for (int p = 0; p < n; p++) {
            if (p != r) {
                Collectives.addInto(mine, Chunks.chunk(all.get(p), b, r)); // peer p's chunk r: it never writes it
            }
        }
        t.sharedBarrier();                                                // barrier 2: every chunk summed by its owner
        for (int p = 0; p < n; p++) {
            if (p != r) {
                Collectives.assignFrom(Chunks.chunk(x, b, p), Chunks.chunk(all.get(p), b, p));
            }
        }
        t.sharedBarrier();                                                // barrier 3: no rank reads another's array
        t.unpublish();
    }

    /**
     * {@code comm} as a ThreadCommunicator, the only kind whose ranks share memory.
     *
     * @throws IllegalArgumentException for any other communicator (a wrapper such as {@link RecordingCommunicator}
     *                                  included: it hides the ThreadCommunicator), saying what to use instead
     */
    public static ThreadCommunicator requireThreads(Communicator comm) {
        if (comm instanceof ThreadCommunicator t) {
            return t;
        }
        throw new IllegalArgumentException("shared-memory all-reduce: expected the ranks of one JVM (a "
                + "ThreadCommunicator itself, not a wrapper around one), got "
                + (comm == null ? "null" : comm.getClass().getSimpleName())
                + "; between processes, or through a wrapper such as RecordingCommunicator, use new RingAllReduce()");
    }

    @Override
    public String name() {
        return "shared memory";
    }
}
