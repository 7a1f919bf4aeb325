package org.bigmodels.comm;

import java.util.concurrent.atomic.AtomicLongArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every backend shares: argument checks, the per-link byte and message counters, and the closed state. A
 * backend only moves the data ({@link #transmit}) and hands back the next arrived array
 * ({@link #receive}).
 *
 * <p>Counting rule: a message of L elements of type T counts L × T.width() bytes (payload only; the backend's
 * own header bytes are not counted, so the counts equal the formulas of {@link CostModel}) and one message, on the
 * link this rank → destination, at the moment it is sent.
 */
public abstract class AbstractCommunicator implements Communicator {
    private final int rank;
    private final int worldSize;
    private final long timeoutMillis;
    private final AtomicLongArray bytes;
    private final AtomicLongArray messages;
    private volatile boolean closed;

    /**
     * @throws IllegalArgumentException when {@code worldSize < 1}, the rank is outside [0, worldSize) or the time-out
     *                                  is not positive
     */
    protected AbstractCommunicator(int rank, int worldSize, long timeoutMillis) {
        checkGroup(rank, worldSize);
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("Communicator: expected a receive time-out > 0 ms, got " + timeoutMillis);
        }
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeoutMillis = timeoutMillis;
        this.bytes = new AtomicLongArray(worldSize);
        this.messages = new AtomicLongArray(worldSize);
    }

    /** Checks a (rank, world size) pair: world size at least 1, rank in [0, worldSize). */
    static void checkGroup(int rank, int worldSize) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("Communicator: expected a world size of at least 1 worker, got "
                    + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("Communicator: rank " + rank + " is out of range [0, " + worldSize
                    + ") for a world of " + worldSize + " workers");
        }
    }

    @Override
    public final int rank() {
        return rank;
    }

    @Override
    public final int worldSize() {
        return worldSize;
    }

    @Override
    public final long timeoutMillis() {
        return timeoutMillis;
    }

    /** True once {@link #close()} or {@link #abort} was called. */
    public final boolean isClosed() {
        return closed;
    }

    /** Marks this communicator closed; returns false when it already was. */
    protected final boolean markClosed() {
        boolean was = closed;
        closed = true;
        return !was;
    }

    @Override
    public final void send(INDArray data, int dst) {
        checkPeer(dst, "send to");
        checkOpen("send to rank " + dst);
        checkArray(data, "send");
        transmit(data, dst);
        bytes.addAndGet(dst, data.length() * (long) data.dataType().width());
        messages.incrementAndGet(dst);
    }

    @Override
    public final INDArray recv(int src) {
        checkPeer(src, "receive from");
        checkOpen("receive from rank " + src);
        return receive(src);
    }

    /**
     * Delivers the elements of {@code data} (any shape, in row-major order; FLOAT or DOUBLE, already checked) to
     * {@code dst} (already checked) as a flat array. The caller may change {@code data} as soon as this returns, so
     * a backend that delivers later must copy it first; one that writes it out at once (a socket) need not copy.
     */
    protected abstract void transmit(INDArray data, int dst);

    /** The next array from {@code src} (already checked), waiting at most {@link #timeoutMillis()}. */
    protected abstract INDArray receive(int src);

    private void checkPeer(int peer, String what) {
        if (peer < 0 || peer >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + ": cannot " + what + " rank " + peer
                    + ": out of range [0, " + worldSize + ")");
        }
        if (peer == rank) {
            throw new IllegalArgumentException("rank " + rank + ": cannot " + what + " itself; a rank keeps its own "
                    + "data locally (collectives skip the self-link)");
        }
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new CommunicationException("rank " + rank + ": cannot " + what + ": this communicator is closed");
        }
    }

    /** Checks that {@code data} is a FLOAT or DOUBLE array; the error names the operation {@code op}. */
    static void checkArray(INDArray data, String op) {
        if (data == null) {
            throw new IllegalArgumentException(op + ": expected an array, got null");
        }
        DataType t = data.dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) {
            throw new IllegalArgumentException(op + ": expected a FLOAT or DOUBLE array, got " + t
                    + "; convert with castTo(DataType.FLOAT) first");
        }
    }

    @Override
    public final long bytesSent(int peer) {
        return bytes.get(peer);
    }

    @Override
    public final long messagesSent(int peer) {
        return messages.get(peer);
    }

    @Override
    public final void resetStats() {
        for (int p = 0; p < worldSize; p++) {
            bytes.set(p, 0);
            messages.set(p, 0);
        }
    }
}
