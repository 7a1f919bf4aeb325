package org.bigmodels.comm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A communicator that records every message that goes through it, to draw a collective step by step ("who sends what
 * to whom") in 05-data-parallel. It wraps the members of one group ({@link #wrap(List)}); sends and receives go to the
 * wrapped communicators unchanged (so do the byte and message counters), and the collectives run on this class's
 * send and receive (the {@link Communicator} defaults), so they are recorded too.
 *
 * <p><b>Steps.</b> Each message gets the logical step at which it would travel in the one-port model of the α–β cost
 * analysis ({@link CostModel}; Thakur, Rabenseifner &amp; Gropp, IJHPCA 19(1), 2005, §2): in one step a rank sends at
 * most one message and receives at most one, and a rank can send data only one step after it received what the data
 * depends on. A message is ready at max(sender's clock, sender's next free send step); it travels at
 * max(ready, receiver's next free receive step); the receiver's clock becomes at least that step + 1. The number of
 * steps of an algorithm is then its number of α terms: 2(N−1) for the naive and the ring all-reduce, 2⌈log2 N⌉ for
 * the tree. The ready step is stamped by the sender into a per-link FIFO shared by the group, so the wrap works for
 * groups whose members share this JVM ({@link ThreadCommunicator}).
 *
 * <p>Thread-safety: as any communicator, each member is used by one thread at a time.
 */
public final class RecordingCommunicator implements Communicator {

    /**
     * One recorded message.
     *
     * @param src      sending rank
     * @param dst      receiving rank
     * @param elements number of array elements
     * @param bytes    payload bytes (elements × element size), as the communicator counts them
     * @param step     logical step of the one-port model (from 0)
     */
    public record Message(int src, int dst, long elements, long bytes, int step) {
    }

    /** What the members of one wrapped group share: the stamps in flight, the clocks and the record. */
    public static final class Recording {
        private final int n;
        private final List<Queue<Integer>> inFlight;
        private final AtomicIntegerArray clock;
        private final AtomicIntegerArray sendFree;
        private final AtomicIntegerArray recvFree;
        private final List<Message> messages = Collections.synchronizedList(new ArrayList<>());

        private Recording(int n) {
            this.n = n;
            this.inFlight = new ArrayList<>(n * n);
            for (int i = 0; i < n * n; i++) inFlight.add(new ConcurrentLinkedQueue<>());
            this.clock = new AtomicIntegerArray(n);
            this.sendFree = new AtomicIntegerArray(n);
            this.recvFree = new AtomicIntegerArray(n);
        }

        /** The messages received so far, by step, then sender, then receiver. */
        public List<Message> messages() {
            List<Message> copy;
            synchronized (messages) {
                copy = new ArrayList<>(messages);
            }
            copy.sort(Comparator.comparingInt(Message::step).thenComparingInt(Message::src)
                    .thenComparingInt(Message::dst));
            return copy;
        }

        /** Number of logical steps used so far: 1 + the largest step of a message (0 when none). */
        public int steps() {
            return messages().stream().mapToInt(Message::step).max().orElse(-1) + 1;
        }

        /** Bytes sent by each rank over all recorded messages, indexed by rank. */
        public long[] bytesSentByRank() {
            long[] b = new long[n];
            for (Message m : messages()) b[m.src()] += m.bytes();
            return b;
        }

        /** Forgets the messages and resets the clocks (between two collectives to draw separately). */
        public void clear() {
            for (Queue<Integer> q : inFlight) {
                if (!q.isEmpty()) {
                    throw new IllegalStateException("RecordingCommunicator: cannot clear while messages are in flight");
                }
            }
            messages.clear();
            for (int r = 0; r < n; r++) {
                clock.set(r, 0);
                sendFree.set(r, 0);
                recvFree.set(r, 0);
            }
        }
    }

    private final Communicator inner;
    private final Recording recording;

    private RecordingCommunicator(Communicator inner, Recording recording) {
        this.inner = inner;
        this.recording = recording;
    }

    /**
     * Wraps the members of one group (element r having rank r, e.g. {@link ThreadCommunicator#group(int)}); the
     * returned members share one {@link Recording}.
     *
     * @throws IllegalArgumentException when the list is empty, or element r does not have rank r and world size
     *                                  list.size()
     */
    public static List<RecordingCommunicator> wrap(List<? extends Communicator> group) {
        if (group == null || group.isEmpty()) {
            throw new IllegalArgumentException("RecordingCommunicator.wrap: expected the members of a group, got "
                    + (group == null ? "null" : "an empty list"));
        }
        int n = group.size();
        Recording rec = new Recording(n);
        List<RecordingCommunicator> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            Communicator c = group.get(r);
            if (c.rank() != r || c.worldSize() != n) {
                throw new IllegalArgumentException("RecordingCommunicator.wrap: element " + r + " has rank " + c.rank()
                        + " of " + c.worldSize() + "; expected rank " + r + " of " + n + " (pass the group in rank order)");
            }
            out.add(new RecordingCommunicator(c, rec));
        }
        return Collections.unmodifiableList(out);
    }

    /** The group's shared record. */
    public Recording recording() {
        return recording;
    }

    @Override
    public int rank() {
        return inner.rank();
    }

    @Override
    public int worldSize() {
        return inner.worldSize();
    }

    @Override
    public void send(INDArray data, int dst) {
        int me = inner.rank();
        if (dst < 0 || dst >= recording.n || dst == me) {
            inner.send(data, dst); // the wrapped communicator gives the error
            return;
        }
        int ready = Math.max(recording.clock.get(me), recording.sendFree.get(me));
        recording.sendFree.set(me, ready + 1);
        Queue<Integer> q = recording.inFlight.get(me * recording.n + dst);
        q.add(ready);
        try {
            inner.send(data, dst);
        } catch (RuntimeException e) {
            q.clear();
            throw e;
        }
    }

    @Override
    public INDArray recv(int src) {
        INDArray m = inner.recv(src);
        int me = inner.rank();
        Integer ready = recording.inFlight.get(src * recording.n + me).poll();
        int r = ready == null ? recording.clock.get(me) : ready;
        int step = Math.max(r, recording.recvFree.get(me));
        recording.recvFree.set(me, step + 1);
        recording.clock.set(me, Math.max(recording.clock.get(me), step + 1));
        recording.messages.add(new Message(src, me, m.length(), m.length() * (long) m.dataType().width(), step));
        return m;
    }

    @Override
    public long timeoutMillis() {
        return inner.timeoutMillis();
    }

    @Override
    public long bytesSent(int peer) {
        return inner.bytesSent(peer);
    }

    @Override
    public long messagesSent(int peer) {
        return inner.messagesSent(peer);
    }

    @Override
    public void resetStats() {
        inner.resetStats();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public void abort(Throwable cause) {
        inner.abort(cause);
    }

    @Override
    public String toString() {
        return "RecordingCommunicator[" + inner + "]";
    }
}
