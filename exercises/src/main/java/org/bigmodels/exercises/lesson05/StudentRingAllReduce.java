package org.bigmodels.exercises.lesson05;

import org.bigmodels.comm.AllReduce;
import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 05.1 (lesson 05-data-parallel): the ring all-reduce, written against the {@link Communicator} interface so
 * that it runs on threads ({@code ThreadCommunicator}) and on processes ({@code SocketCommunicator}) unchanged, and
 * plugs in wherever the library's {@link AllReduce} algorithms do.
 *
 * <p>The ring (Patarasuk &amp; Yuan, "Bandwidth optimal all-reduce algorithms for clusters of workstations", JPDC 69(2),
 * 2009, §3): rank r sends only to its right neighbour (r+1) mod N and receives only from its left neighbour
 * (r−1) mod N. The flat array of L elements is cut into N chunks with {@link Chunks#bounds(long, int)} (chunk c =
 * elements [b[c], b[c+1]); {@link Chunks#chunk} gives a view that writes through). Two phases of N−1 steps:
 * <ol>
 *   <li><b>reduce-scatter</b>: at each step every rank passes one chunk to the right and adds the chunk it receives
 *       from the left into its own copy of that chunk; after N−1 steps rank r holds the complete sum of chunk r;</li>
 *   <li><b>all-gather</b>: the complete chunks travel once more around the ring, each rank overwriting its copy with
 *       the chunk it receives, until every rank has every complete chunk.</li>
 * </ol>
 * Each rank then sends 2(N−1) messages of about L/N elements: 2(N−1)/N·S bytes for S bytes of data, whatever N.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 05}.
 */
public final class StudentRingAllReduce implements AllReduce {

    /**
     * Sums {@code data} over all ranks, in place on every rank: the reduce-scatter, then the all-gather.
     *
     * @param comm this rank's communicator (N = comm.worldSize() ranks, N >= 1)
     * @param data a flat (rank-1) FLOAT or DOUBLE array of the same length L on every rank; L may be smaller than N,
     *             or not divisible by it
     */
    @Override
    public void allReduce(Communicator comm, INDArray data) {
        throw new UnsupportedOperationException("not implemented yet: StudentRingAllReduce.allReduce -- run the two "
                + "phases below, one after the other, on the same array. With a single rank there is nothing to send");
    }

    /**
     * Phase 1, in place on {@code x} (flat, length L): afterwards chunk {@code comm.rank()} of x holds the sum over all
     * ranks of that chunk (the other chunks hold partial sums).
     */
    public static void reduceScatter(Communicator comm, INDArray x) {
        throw new UnsupportedOperationException("not implemented yet: StudentRingAllReduce.reduceScatter -- N-1 steps; "
                + "at step s rank r sends one chunk to the right and adds the chunk arriving from the left into its own "
                + "copy; pick the chunk indices (as functions of r and s, modulo N) so that the chunk rank r receives "
                + "last is chunk r. Pitfalls: Java's % is negative for negative numbers (use Math.floorMod); send "
                + "before you receive, or every rank waits for its left neighbour forever; when L < N some chunks are "
                + "empty and must still be sent, so that every rank takes the same number of steps");
    }

    /**
     * Phase 2, in place on {@code x} (flat, length L): on entry chunk {@code comm.rank()} holds this rank's complete
     * chunk; on return every chunk of x holds its owner's complete chunk.
     */
    public static void allGather(Communicator comm, INDArray x) {
        throw new UnsupportedOperationException("not implemented yet: StudentRingAllReduce.allGather -- N-1 steps; at "
                + "step 0 rank r sends its own complete chunk r to the right; at every step it stores (overwrites, no "
                + "addition) the chunk arriving from the left and passes on, at the next step, the chunk it just "
                + "received. Pitfall: adding instead of copying counts every chunk N times");
    }

    @Override
    public String name() {
        return "student ring";
    }
}
