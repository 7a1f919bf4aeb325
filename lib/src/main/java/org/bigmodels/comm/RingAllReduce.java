package org.bigmodels.comm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ring all-reduce: the ranks form a ring (rank r sends to r+1 and receives from r−1, modulo N) and the array is cut
 * into N chunks ({@link Chunks#bounds}). Two phases of N−1 steps each:
 * <ol>
 *   <li><b>reduce-scatter</b>: at step s rank r sends chunk (r−s−1) mod N to the right and adds the chunk
 *       (r−s−2) mod N it receives from the left into its own; after N−1 steps rank r holds the full sum of chunk r;</li>
 *   <li><b>all-gather</b>: at step s rank r sends chunk (r−s) mod N to the right and stores the chunk (r−s−1) mod N
 *       it receives; after N−1 steps every rank holds every summed chunk.</li>
 * </ol>
 * Every rank sends 2(N−1) messages of about S/N bytes, 2(N−1)/N·S bytes in all, whatever N: bandwidth-optimal
 * (Patarasuk &amp; Yuan, "Bandwidth optimal all-reduce algorithms for clusters of workstations", JPDC 69(2), 2009,
 * §3; popularised for deep learning by Baidu's "Bringing HPC techniques to deep learning", Gibiansky 2017, and the
 * default of NCCL and Horovod). α–β time 2(N−1)(α + Sβ/N): the latency term grows with N.
 *
 * <p>With unequal chunks (length not divisible by N, or shorter than N so that some chunks are empty) rank r sends
 * every chunk but its own in the first phase and every chunk but chunk r+1 in the second:
 * {@link #bytesSent(int, int, long, int)}.
 */
public final class RingAllReduce implements AllReduce {

    @Override
    public void allReduce(Communicator comm, INDArray data) {
        INDArray x = Collectives.flat(data, "ring all-reduce");
        reduceScatter(comm, x);
        allGather(comm, x);
    }

    @Override
    public String name() {
        return "ring";
    }

    /**
     * Phase 1, in place on the flat array {@code x}: afterwards chunk {@code rank} of {@code x} holds the sum over all
     * ranks of that chunk; the other chunks hold partial sums. N−1 messages to the right neighbour.
     */
    public static void reduceScatter(Communicator comm, INDArray x) {
        int n = comm.worldSize();
        int r = comm.rank();
        long[] b = Chunks.bounds(x.length(), n);
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        for (int s = 0; s < n - 1; s++) {
            int sendChunk = Math.floorMod(r - s - 1, n);
            int recvChunk = Math.floorMod(r - s - 2, n);
            comm.send(Chunks.chunk(x, b, sendChunk), right);
            INDArray in = Collectives.recvChecked(comm, left, b[recvChunk + 1] - b[recvChunk], x.dataType(),
                    "ring reduce-scatter step " + s + ", chunk " + recvChunk);
            Collectives.addInto(Chunks.chunk(x, b, recvChunk), in);
        }
    }

    /**
     * Phase 2, in place on the flat array {@code x}: on entry chunk {@code rank} holds this rank's part; on return
     * every chunk holds its owner's part. N−1 messages to the right neighbour.
     */
    public static void allGather(Communicator comm, INDArray x) {
        int n = comm.worldSize();
        int r = comm.rank();
        long[] b = Chunks.bounds(x.length(), n);
        int right = (r + 1) % n;
        int left = (r - 1 + n) % n;
        for (int s = 0; s < n - 1; s++) {
            int sendChunk = Math.floorMod(r - s, n);
            int recvChunk = Math.floorMod(r - s - 1, n);
            comm.send(Chunks.chunk(x, b, sendChunk), right);
            INDArray in = Collectives.recvChecked(comm, left, b[recvChunk + 1] - b[recvChunk], x.dataType(),
                    "ring all-gather step " + s + ", chunk " + recvChunk);
            Collectives.assignFrom(Chunks.chunk(x, b, recvChunk), in);
        }
    }

    /**
     * Exact bytes rank {@code rank} sends in one ring all-reduce of {@code length} elements of {@code elementBytes}
     * bytes: (L − |chunk r|) + (L − |chunk (r+1) mod N|) elements. Equals 2(N−1)/N·S when N divides L.
     */
    public static long bytesSent(int rank, int worldSize, long length, int elementBytes) {
        if (worldSize == 1) {
            return 0;
        }
        long[] b = Chunks.bounds(length, worldSize);
        int next = (rank + 1) % worldSize;
        long elements = (length - (b[rank + 1] - b[rank])) + (length - (b[next + 1] - b[next]));
        return elements * elementBytes;
    }
}
