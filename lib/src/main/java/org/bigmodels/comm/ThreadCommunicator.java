package org.bigmodels.comm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The thread backend: N workers are N threads of this JVM, and a message is a private copy of the array placed in a
 * bounded blocking queue, one queue per ordered pair (src, dst). What the notebooks use: no serialization, no
 * sockets, but the same algorithms, the same counters and the same failure behaviour as {@link SocketCommunicator}.
 *
 * <p>Usage: {@code ThreadCommunicator.run(4, 10_000, comm -> { ...; comm.allReduce(grad); return loss; })} runs the
 * function on 4 worker threads and returns the 4 results in rank order; or {@link #group(int)} gives the N
 * communicators to drive yourself (e.g. with {@link WorkerThreads#run}).
 *
 * <p>A receive polls its queue for up to {@value #SPIN_NANOS} ns, yielding between polls, before it blocks (as MPI
 * libraries do: a peer's message usually arrives within that time, and a blocked thread is slower to wake).
 *
 * <p>Failure: every receive waits at most {@link #timeoutMillis()}, checking every {@value #SLICE_MILLIS} ms whether
 * the sender has failed or closed. Messages already queued are still delivered; after that a receive from a closed
 * or failed rank, or any receive once some rank of the group has failed ({@link #abort}), throws a
 * CommunicationException naming that rank and its error. A full queue blocks the sender the same bounded time.
 */
public final class ThreadCommunicator extends AbstractCommunicator {
    /** Default receive (and send) time-out, in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;
    /** Default capacity of each ordered pair's queue, in messages. */
    public static final int DEFAULT_QUEUE_CAPACITY = 64;
    /** How often a waiting send or receive checks its peer's state, in milliseconds. */
    static final long SLICE_MILLIS = 10;
    /**
     * How long a receive polls its queue before it blocks, in nanoseconds, yielding the core between polls: a
     * collective's reply usually arrives within microseconds, and parking and waking a thread costs tens of
     * microseconds (and on a loaded machine a wait for a core); MPI libraries poll and yield the same way before
     * they sleep.
     */
    static final long SPIN_NANOS = 50_000;

    /** The state shared by the N members of one group. */
    private static final class Group {
        final int n;
        final List<BlockingQueue<INDArray>> queues;      // index src * n + dst
        final AtomicReferenceArray<String> fate;         // null: running; "closed"; or "failed: reason"
        /** Per ordered pair (index src * n + dst): message buffers given back by dst, by (type, length). */
        final List<Map<Long, ConcurrentLinkedQueue<INDArray>>> free;
        volatile int firstFailed = -1;
        /**
         * Shared-memory rendezvous: the arrays published at even and odd barrier generations (two sets, so that a
         * rank that publishes again never overwrites what a slower rank has still to read), ranks arrived, and the
         * barrier's generation.
         */
        final List<AtomicReferenceArray<INDArray>> published;
        final AtomicInteger arrived = new AtomicInteger();
        volatile long generation;

        Group(int n, int capacity) {
            this.published = List.of(new AtomicReferenceArray<>(n), new AtomicReferenceArray<>(n));
            this.n = n;
            this.queues = new ArrayList<>(n * n);
            for (int i = 0; i < n * n; i++) {
                queues.add(new ArrayBlockingQueue<>(capacity));
            }
            this.fate = new AtomicReferenceArray<>(n);
            this.free = new ArrayList<>(n * n);
            for (int i = 0; i < n * n; i++) {
                free.add(new ConcurrentHashMap<>());
            }
        }
    }

    private final Group group;
    /** Open {@link #recycling} scopes; used by the one thread that receives at a time (as every receive is). */
    private int recyclingDepth;
    /** Arrays received inside the open scope, and from whom, to give back when it closes. */
    private final List<INDArray> delivered = new ArrayList<>();
    private final List<Integer> deliveredFrom = new ArrayList<>();

    private ThreadCommunicator(int rank, Group group, long timeoutMillis) {
        super(rank, group.n, timeoutMillis);
        this.group = group;
    }

    /** A group of {@code worldSize} connected communicators (index = rank) with the default time-out. */
    public static List<Communicator> group(int worldSize) {
        return group(worldSize, DEFAULT_TIMEOUT_MILLIS, DEFAULT_QUEUE_CAPACITY);
    }

    /** A group of {@code worldSize} connected communicators whose receives wait at most {@code timeoutMillis}. */
    public static List<Communicator> group(int worldSize, long timeoutMillis) {
        return group(worldSize, timeoutMillis, DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * A group of {@code worldSize} connected communicators, element r having rank r.
     *
     * @param worldSize     number of workers, at least 1
     * @param timeoutMillis longest wait of a receive (or of a send on a full queue), ms, &gt; 0
     * @param queueCapacity messages each ordered pair may have in flight, at least 1
     * @throws IllegalArgumentException for a world size below 1, a time-out or capacity below 1
     */
    public static List<Communicator> group(int worldSize, long timeoutMillis, int queueCapacity) {
        checkGroup(0, worldSize);
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("ThreadCommunicator: expected a queue capacity of at least 1 message, got "
                    + queueCapacity);
        }
        Group g = new Group(worldSize, queueCapacity);
        List<Communicator> members = new ArrayList<>(worldSize);
        for (int r = 0; r < worldSize; r++) {
            members.add(new ThreadCommunicator(r, g, timeoutMillis));
        }
        return Collections.unmodifiableList(members);
    }

    /**
     * Runs {@code task} on {@code worldSize} worker threads, each with its own communicator of a fresh group, and
     * returns their results in rank order. Receives wait at most {@code timeoutMillis}, and so does the whole run.
     *
     * @throws CommunicationException naming the rank that failed first (its exception is the cause), or the ranks
     *                                still running at the time-out
     */
    public static <T> List<T> run(int worldSize, long timeoutMillis, WorkerThreads.Task<T> task) {
        List<Communicator> comms = group(worldSize, timeoutMillis);
        try {
            return WorkerThreads.run(comms, timeoutMillis, task);
        } finally {
            comms.forEach(Communicator::close);
        }
    }

    /** {@link #run(int, long, WorkerThreads.Task)} with the default time-out. */
    public static <T> List<T> run(int worldSize, WorkerThreads.Task<T> task) {
        return run(worldSize, DEFAULT_TIMEOUT_MILLIS, task);
    }

    /** A scope of {@link #recycling}: closing it gives the arrays received inside back to their senders. */
    @FunctionalInterface
    public interface Recycling extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens a scope in which the arrays this rank receives are lent, not given: when the scope closes they go back
     * to their sender's pool of message buffers, and its next sends of the same type and length copy into them
     * instead of allocating (a step of data-parallel training then allocates no message at all). The caller
     * promises to keep no received array, nor a view of one, past the close: true of every collective of this
     * package, which adds or copies what it receives. Outside a scope a received array is the caller's for good.
     * Scopes nest; open and close them on the thread that receives.
     *
     * @return the scope, for try-with-resources; a no-op for any other communicator
     */
    public static Recycling recycling(Communicator comm) {
        if (!(comm instanceof ThreadCommunicator t)) {
            return () -> { };
        }
        t.recyclingDepth++;
        return t::endRecycling;
    }

    private void endRecycling() {
        if (--recyclingDepth > 0) {
            return;
        }
        for (int i = 0; i < delivered.size(); i++) {
            INDArray m = delivered.get(i);
            group.free.get(deliveredFrom.get(i) * group.n + rank())
                    .computeIfAbsent(key(m.dataType(), m.length()), k -> new ConcurrentLinkedQueue<>()).offer(m);
        }
        delivered.clear();
        deliveredFrom.clear();
    }

    private static long key(org.nd4j.linalg.api.buffer.DataType type, long length) {
        return 2 * length + (type == org.nd4j.linalg.api.buffer.DataType.DOUBLE ? 1 : 0);
    }

    @Override
    protected void transmit(INDArray data, int dst) {
        // the queue keeps the message after send returns: a private flat copy, so the sender may change its array;
        // into a buffer the receiver gave back (see recycling) when there is one, else a new one
        INDArray copy;
        if (data.length() == 0) {
            copy = Nd4j.create(data.dataType(), 0);
        } else {
            var pool = group.free.get(rank() * group.n + dst).get(key(data.dataType(), data.length()));
            copy = pool == null ? null : pool.poll();
            if (copy == null) {
                copy = Nd4j.createUninitialized(data.dataType(), data.length());
            }
            // a rank-1 array (a chunk of a flat buffer) is copied as it is; anything else is read in row-major order
            copy.assign(data.rank() == 1 ? data : data.reshape('c', new long[] {data.length()})); // long[]: ('c', n)
        }
        BlockingQueue<INDArray> q = group.queues.get(rank() * group.n + dst);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis());
        try {
            while (!q.offer(copy, SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                checkPeers(dst, "send to rank " + dst);
                if (System.nanoTime() > deadline) {
                    throw new CommunicationException("rank " + rank() + ": send to rank " + dst + " timed out after "
                            + timeoutMillis() + " ms: its queue is full; is rank " + dst + " receiving?");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationException("rank " + rank() + ": interrupted while sending to rank " + dst, e);
        }
    }

    @Override
    protected INDArray receive(int src) {
        BlockingQueue<INDArray> q = group.queues.get(src * group.n + rank());
        long spinEnd = System.nanoTime() + SPIN_NANOS;
        do {
            INDArray m = q.poll();
            if (m != null) {
                return lent(m, src);
            }
            // yield, not a busy spin: when the peer waits for this very core (more runnable threads than free
            // cores, as on a shared machine), it runs now instead of after this thread's time slice
            Thread.yield();
        } while (System.nanoTime() < spinEnd);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis());
        try {
            while (true) {
                INDArray m = q.poll(SLICE_MILLIS, TimeUnit.MILLISECONDS);
                if (m != null) {
                    return lent(m, src);
                }
                checkPeers(src, "receive from rank " + src);
                if (System.nanoTime() > deadline) {
                    throw new CommunicationException("rank " + rank() + ": receive from rank " + src
                            + " timed out after " + timeoutMillis() + " ms; is rank " + src
                            + " stuck, or calling a different collective?");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationException("rank " + rank() + ": interrupted while receiving from rank " + src, e);
        }
    }

    /**
     * Shared memory, the thread backend's own shortcut (for {@link SharedMemoryAllReduce}): publishes {@code data} to
     * the group and waits until every rank has published; returns the arrays of all ranks (element r from rank r,
     * this rank's own included). The arrays are the peers' live arrays, not copies: the collective reads them between
     * {@link #sharedBarrier}s, while no rank writes what another reads, and keeps none after its last barrier. No
     * message is sent and no byte is counted. A collective: every rank calls it, in the same order as its other
     * collectives; calls may follow each other directly.
     *
     * @throws CommunicationException when a rank of the group has failed or closed, or after {@link #timeoutMillis()}
     */
    List<INDArray> shareWithGroup(INDArray data) {
        // every rank entering this barrier reads the same generation (it changes only once all have arrived), and a
        // rank publishing at the next generation writes the other set: what a slower rank reads stays in place
        AtomicReferenceArray<INDArray> slots = group.published.get((int) (group.generation & 1));
        slots.set(rank(), data);
        sharedBarrier();
        List<INDArray> all = new ArrayList<>(group.n);
        for (int r = 0; r < group.n; r++) {
            all.add(slots.get(r));
        }
        return all;
    }

    /** Forgets what this rank published (so the group does not keep its arrays reachable); call after a last barrier. */
    void unpublish() {
        for (AtomicReferenceArray<INDArray> slots : group.published) {
            slots.set(rank(), null);
        }
    }

    /**
     * A barrier on shared memory: returns once every rank of the group has called it (a generation counter, as in
     * Mellor-Crummey &amp; Scott, ACM TOCS 9(1), 1991, §3.1). Waits by polling, yielding the core, for up to
     * {@value #SPIN_NANOS} ns, then sleeping in short naps; checks the peers' state every {@value #SLICE_MILLIS} ms.
     * Cheaper than {@link #barrier()}'s 2(N−1) messages, and it sends none.
     *
     * @throws CommunicationException when a rank of the group has failed or closed, or after {@link #timeoutMillis()}
     */
    public void sharedBarrier() {
        checkPeers(rank(), "enter a shared-memory barrier");
        long gen = group.generation;
        if (group.arrived.incrementAndGet() == group.n) {
            group.arrived.set(0);
            group.generation = gen + 1;   // volatile write: publishes every write made before the barrier
            return;
        }
        long start = System.nanoTime();
        long nextCheck = start + TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS);
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis());
        while (group.generation == gen) {
            long now = System.nanoTime();
            if (now - start < SPIN_NANOS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(20_000);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw failBarrier(gen, "interrupted in a shared-memory barrier", null);
            }
            if (now > nextCheck) {
                nextCheck = now + TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS);
                if (group.generation != gen) {
                    return;   // the last rank arrived (and may have closed since): the barrier is passed
                }
                for (int r = 0; r < group.n; r++) {
                    try {
                        checkPeers(r, "wait in a shared-memory barrier");
                    } catch (CommunicationException e) {
                        if (group.generation != gen) {
                            return;   // passed between the two reads: the peer closed after arriving
                        }
                        throw failBarrier(gen, e.getMessage(), e);
                    }
                }
                if (now > deadline) {
                    throw failBarrier(gen, "shared-memory barrier timed out after " + timeoutMillis() + " ms with "
                            + group.arrived.get() + " of " + group.n
                            + " ranks arrived; is a rank stuck, or calling a different collective?", null);
                }
            }
        }
    }

    /**
     * The exception of a barrier this rank leaves without passing it; unless the barrier completed meanwhile, this
     * rank's arrival stays counted, so the group is aborted first: no rank may pass a later barrier alone.
     */
    private CommunicationException failBarrier(long gen, String why, Throwable cause) {
        String message = why.startsWith("rank ") ? why : "rank " + rank() + ": " + why;
        CommunicationException e = new CommunicationException(message, cause);
        if (group.generation == gen) {
            abort(e);
        }
        return e;
    }

    /** Notes m (from src) for the open recycling scope, if any; returns m. */
    private INDArray lent(INDArray m, int src) {
        if (recyclingDepth > 0 && m.length() > 0) {
            delivered.add(m);
            deliveredFrom.add(src);
        }
        return m;
    }

    /** Throws when this rank, the peer, or any rank of the group has closed or failed. */
    private void checkPeers(int peer, String what) {
        String own = group.fate.get(rank());
        if (own != null) {
            throw new CommunicationException("rank " + rank() + ": cannot " + what + ": this rank is " + own);
        }
        String theirs = group.fate.get(peer);
        if (theirs != null) {
            throw new CommunicationException("rank " + rank() + ": cannot " + what + ": rank " + peer + " " + theirs);
        }
        int f = group.firstFailed;
        if (f >= 0) {
            throw new CommunicationException("rank " + rank() + ": cannot " + what + ": rank " + f + " "
                    + group.fate.get(f));
        }
    }

    @Override
    public void abort(Throwable cause) {
        String reason = "failed: " + (cause == null ? "aborted" : cause.getClass().getSimpleName() + ": "
                + cause.getMessage());
        if (group.fate.compareAndSet(rank(), null, reason) || group.fate.compareAndSet(rank(), "closed", reason)) {
            synchronized (group) {
                if (group.firstFailed < 0) {
                    group.firstFailed = rank();
                }
            }
        }
        markClosed();
    }

    @Override
    public void close() {
        group.fate.compareAndSet(rank(), null, "closed");
        markClosed();
    }

    @Override
    public String toString() {
        return "ThreadCommunicator[rank " + rank() + " of " + worldSize() + "]";
    }
}
