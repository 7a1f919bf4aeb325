package org.bigmodels.exercises.lesson05;

import org.bigmodels.comm.AllReduce;
import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 05.1 (lesson 05-data-parallel), reference solution: the ring all-reduce (reduce-scatter then all-gather)
 * against the {@link Communicator} interface. Patarasuk &amp; Yuan, JPDC 69(2), 2009, §3.
 */
public final class StudentRingAllReduce implements AllReduce {

    @Override
    public void allReduce(Communicator comm, INDArray data) {
        if (comm.worldSize() == 1) {
            return;
        }
        reduceScatter(comm, data);
        allGather(comm, data);
    }

    /** Phase 1: afterwards chunk {@code comm.rank()} of {@code x} holds the complete sum of that chunk. */
    public static void reduceScatter(Communicator comm, INDArray x) {
        int n = comm.worldSize();
        int r = comm.rank();
        long[] bounds = Chunks.bounds(x.length(), n);
        int right = (r + 1) % n;
        int left = (r + n - 1) % n;
        for (int s = 0; s < n - 1; s++) {
            int out = Math.floorMod(r - 1 - s, n);     // at the last step (s = N-2) rank r sends chunk r+1
            int in = Math.floorMod(r - 2 - s, n);      // ... and receives chunk r, now complete
            comm.send(Chunks.chunk(x, bounds, out), right);
            INDArray got = comm.recv(left);
            if (got.length() > 0) {
                Chunks.chunk(x, bounds, in).addi(got.reshape(got.length()));
            }
        }
    }

    /** Phase 2: every rank ends with every complete chunk. */
    public static void allGather(Communicator comm, INDArray x) {
        int n = comm.worldSize();
        int r = comm.rank();
        long[] bounds = Chunks.bounds(x.length(), n);
        int right = (r + 1) % n;
        int left = (r + n - 1) % n;
        for (int s = 0; s < n - 1; s++) {
            int out = Math.floorMod(r - s, n);
            int in = Math.floorMod(r - 1 - s, n);
            comm.send(Chunks.chunk(x, bounds, out), right);
            INDArray got = comm.recv(left);
            if (got.length() > 0) {
                Chunks.chunk(x, bounds, in).assign(got.reshape(got.length()));
            }
        }
    }

    @Override
    public String name() {
        return "student ring";
    }
}
