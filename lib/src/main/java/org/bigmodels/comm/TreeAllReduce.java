package org.bigmodels.comm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Tree all-reduce: a binomial-tree reduce to rank 0 followed by a binomial-tree broadcast from it, the tree MPICH
 * uses for short messages (Thakur, Rabenseifner &amp; Gropp, "Optimization of collective communication operations in
 * MPICH", IJHPCA 19(1), 2005, §3–4).
 *
 * <p>The tree (for any N, not only powers of two): the parent of rank r &gt; 0 is r − lowbit(r) (r with its lowest set
 * bit cleared); the children of r are r + 2^k for every 2^k below lowbit(r) (every 2^k for rank 0) with
 * r + 2^k &lt; N. Reduce: a rank adds its children's arrays, smallest subtree first, then sends the partial sum to
 * its parent. Broadcast: the reverse. Depth ⌈log2 N⌉, so the α–β time is 2⌈log2 N⌉(α + Sβ): far fewer latency
 * terms than the ring's 2(N−1), but every message carries the whole array, so the ring wins on large arrays.
 *
 * <p>Bytes sent by rank r: S to its parent (r &gt; 0) plus S to each child ({@link #bytesSent}); rank 0 sends
 * ⌈log2 N⌉·S, the most of any rank.
 */
public final class TreeAllReduce implements AllReduce {

    @Override
    public void allReduce(Communicator comm, INDArray data) {
        INDArray x = Collectives.flat(data, "tree all-reduce");
        reduce(comm, x);
        broadcast(comm, x);
    }

    @Override
    public String name() {
        return "tree";
    }

    /** Binomial-tree reduce to rank 0, in place on the flat array {@code x} (the sum is valid on rank 0 only). */
    public static void reduce(Communicator comm, INDArray x) {
        int n = comm.worldSize();
        int r = comm.rank();
        for (int mask = 1; mask < n; mask <<= 1) {
            if ((r & mask) != 0) {               // mask is r's lowest set bit: hand the partial sum up, done
                comm.send(x, r - mask);
                return;
            }
            if (r + mask < n) {                  // a child whose subtree has 'mask' ranks
                Collectives.addInto(x, Collectives.recvChecked(comm, r + mask, x.length(), x.dataType(),
                        "tree reduce from child " + (r + mask)));
            }
        }
    }

    /** Binomial-tree broadcast from rank 0, in place on the flat array {@code x}. */
    public static void broadcast(Communicator comm, INDArray x) {
        int n = comm.worldSize();
        int r = comm.rank();
        int low = r == 0 ? Integer.highestOneBit(Math.max(1, n - 1)) << 1 : Integer.lowestOneBit(r);
        if (r != 0) {
            Collectives.assignFrom(x, Collectives.recvChecked(comm, r - low, x.length(), x.dataType(),
                    "tree broadcast from parent " + (r - low)));
        }
        for (int mask = low >> 1; mask >= 1; mask >>= 1) {   // largest subtree first
            if (r + mask < n) {
                comm.send(x, r + mask);
            }
        }
    }

    /** Number of children of rank {@code rank} in the binomial tree of {@code worldSize} ranks rooted at 0. */
    public static int children(int rank, int worldSize) {
        int count = 0;
        for (int mask = 1; mask < worldSize; mask <<= 1) {
            if (rank != 0 && (rank & mask) != 0) {
                break;
            }
            if (rank + mask < worldSize) {
                count++;
            }
        }
        return count;
    }

    /** Exact bytes rank {@code rank} sends in one tree all-reduce of {@code length} elements of {@code elementBytes}. */
    public static long bytesSent(int rank, int worldSize, long length, int elementBytes) {
        long s = length * elementBytes;
        return s * (children(rank, worldSize) + (rank == 0 ? 0 : 1));
    }
}
