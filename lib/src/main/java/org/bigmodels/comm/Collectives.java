package org.bigmodels.comm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The collectives written on point-to-point send and receive only, in their simplest (linear) form: the defaults of
 * {@link Communicator}. Reduce-scatter and all-gather are the two phases of the ring ({@link RingAllReduce}).
 *
 * <p>Every operation checks what it receives: an array of another length or type than this rank's (the rule
 * "same length, same type on every rank" broken) gives a CommunicationException naming both ranks, never a silent
 * wrong sum. Costs in the α–β model: {@link #broadcast} and {@link #reduce} take N−1 messages of S bytes, serialised
 * at the root: (N−1)(α + Sβ).
 */
public final class Collectives {
    private Collectives() {}

    /**
     * The flat (rank-1) array the algorithms work on: {@code data} itself when it is rank 1, else a row-major view of
     * it. Any shape is accepted as long as it is one contiguous row-major block.
     *
     * @throws IllegalArgumentException for null, a type other than FLOAT/DOUBLE, or a non-contiguous view
     */
    public static INDArray flat(INDArray data, String op) {
        AbstractCommunicator.checkArray(data, op);
        if (data.length() == 0) {
            return data.rank() == 1 ? data : Nd4j.create(data.dataType(), 0);
        }
        boolean contiguous = data.ordering() == 'c' && (data.length() == 1 || data.elementWiseStride() == 1);
        if (!contiguous) {
            throw new IllegalArgumentException(op + ": expected a contiguous row-major array, got a view with shape "
                    + java.util.Arrays.toString(data.shape()) + " and strides " + java.util.Arrays.toString(data.stride())
                    + "; pass x.dup('c') and copy the result back");
        }
        return data.rank() == 1 ? data : data.reshape('c', new long[] {data.length()});
    }

    /**
     * Receives from {@code src} and checks the array has {@code length} elements of {@code type}.
     *
     * @param what what this message is, for the error (e.g. "chunk 3 in reduce-scatter step 1")
     * @throws CommunicationException when the peer failed, timed out, or sent another length or type
     */
    public static INDArray recvChecked(Communicator c, int src, long length, DataType type, String what) {
        INDArray got = c.recv(src);
        if (got.length() != length || got.dataType() != type) {
            throw new CommunicationException("rank " + c.rank() + ": " + what + ": expected " + length + " " + type
                    + " elements from rank " + src + ", got " + got.length() + " " + got.dataType()
                    + "; every rank must pass arrays of the same length and type to a collective");
        }
        return got;
    }

    /** Adds {@code in} into {@code acc} element-wise, in place (both the same length; nothing for length 0). */
    public static void addInto(INDArray acc, INDArray in) {
        if (acc.length() > 0) {
            acc.addi(in);
        }
    }

    /** Copies {@code in} into {@code x} element-wise, in place (both the same length; nothing for length 0). */
    public static void assignFrom(INDArray x, INDArray in) {
        if (x.length() > 0) {
            x.assign(in);
        }
    }

    /**
     * Waits until every rank has entered the barrier: ranks 1..N−1 send an empty message to rank 0, which answers
     * each once it has heard from all. 2(N−1) messages, 0 bytes.
     */
    public static void barrier(Communicator c) {
        int n = c.worldSize();
        if (n == 1) {
            return;
        }
        INDArray empty = Nd4j.create(DataType.FLOAT, 0);
        if (c.rank() == 0) {
            for (int r = 1; r < n; r++) {
                recvChecked(c, r, 0, DataType.FLOAT, "barrier arrival");
            }
            for (int r = 1; r < n; r++) {
                c.send(empty, r);
            }
        } else {
            c.send(empty, 0);
            recvChecked(c, 0, 0, DataType.FLOAT, "barrier release");
        }
    }

    /**
     * Linear broadcast: the root sends its whole array to every other rank in turn; the others overwrite theirs.
     *
     * @param data flat or contiguous array, the same length and type on every rank; overwritten on non-roots
     * @param root the rank whose data is copied, in [0, N)
     */
    public static void broadcast(Communicator c, INDArray data, int root) {
        INDArray x = flat(data, "broadcast");
        checkRoot(c, root, "broadcast");
        if (c.rank() == root) {
            for (int r = 0; r < c.worldSize(); r++) {
                if (r != root) {
                    c.send(x, r);
                }
            }
        } else {
            assignFrom(x, recvChecked(c, root, x.length(), x.dataType(), "broadcast from root " + root));
        }
    }

    /**
     * Linear reduce: every other rank sends its array to the root, which adds them in rank order.
     *
     * @param data flat or contiguous array, the same length and type on every rank; holds the sum on the root
     * @param root the rank that receives the sum, in [0, N)
     */
    public static void reduce(Communicator c, INDArray data, int root) {
        INDArray x = flat(data, "reduce");
        checkRoot(c, root, "reduce");
        if (c.rank() == root) {
            for (int r = 0; r < c.worldSize(); r++) {
                if (r != root) {
                    addInto(x, recvChecked(c, r, x.length(), x.dataType(), "reduce to root " + root));
                }
            }
        } else {
            c.send(x, root);
        }
    }

    /** Reduce-scatter (ring): see {@link Communicator#reduceScatter} and {@link RingAllReduce#reduceScatter}. */
    public static void reduceScatter(Communicator c, INDArray data) {
        RingAllReduce.reduceScatter(c, flat(data, "reduceScatter"));
    }

    /** All-gather (ring): see {@link Communicator#allGather} and {@link RingAllReduce#allGather}. */
    public static void allGather(Communicator c, INDArray data) {
        RingAllReduce.allGather(c, flat(data, "allGather"));
    }

    static void checkRoot(Communicator c, int root, String op) {
        if (root < 0 || root >= c.worldSize()) {
            throw new IllegalArgumentException(op + ": root rank " + root + " is out of range [0, " + c.worldSize()
                    + ")");
        }
    }
}
