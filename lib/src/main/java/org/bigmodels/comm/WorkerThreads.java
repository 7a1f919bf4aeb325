package org.bigmodels.comm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one function per rank, each on its own thread, and gathers the results: the thread-world counterpart of
 * {@link Launcher} (and of {@code torch.multiprocessing.spawn}). Works with any communicators, e.g. the group of
 * {@link ThreadCommunicator#group} or N {@link SocketCommunicator}s made in one JVM.
 *
 * <p>Failure: when a worker throws, its communicator is {@link Communicator#abort aborted} at once, so the peers
 * waiting on it fail fast; the run then throws a CommunicationException "rank r failed: ..." for the rank that
 * failed first, with its exception as the cause. When the run exceeds its time-out, every communicator is aborted,
 * the threads are interrupted, and the exception names the ranks still running. The run never hangs.
 */
public final class WorkerThreads {
    private WorkerThreads() {}

    /** One worker's code: gets its rank's communicator, returns its result; may throw anything. */
    @FunctionalInterface
    public interface Task<T> {
        T call(Communicator comm) throws Exception;
    }

    /**
     * Calls {@code task} with {@code comms.get(r)} on thread "worker-rank-r" for every r, and returns the results in
     * rank order. Does not close the communicators (unless a failure aborted them).
     *
     * @param timeoutMillis longest time the whole run may take, ms, &gt; 0
     * @throws CommunicationException naming the first failed rank, or the ranks still running at the time-out
     * @throws IllegalArgumentException when {@code comms} is empty or element r does not have rank r
     */
    public static <T> List<T> run(List<? extends Communicator> comms, long timeoutMillis, Task<T> task) {
        int n = comms.size();
        if (n < 1) {
            throw new IllegalArgumentException("WorkerThreads.run: expected at least 1 communicator, got none");
        }
        for (int r = 0; r < n; r++) {
            if (comms.get(r).rank() != r) {
                throw new IllegalArgumentException("WorkerThreads.run: element " + r + " has rank " + comms.get(r).rank()
                        + "; pass the communicators in rank order");
            }
        }
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("WorkerThreads.run: expected a time-out > 0 ms, got " + timeoutMillis);
        }
        Object[] results = new Object[n];
        boolean[] done = new boolean[n];
        AtomicReference<Failure> first = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(n);
        List<Thread> threads = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            final int rank = r;
            Communicator c = comms.get(r);
            Thread t = new Thread(() -> {
                try {
                    results[rank] = task.call(c);
                } catch (Throwable e) {
                    first.compareAndSet(null, new Failure(rank, e));
                    c.abort(e);
                } finally {
                    synchronized (done) {
                        done[rank] = true;
                    }
                    finished.countDown();
                }
            }, "worker-rank-" + r);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        boolean allDone;
        boolean interrupted = false;
        try {
            allDone = finished.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
            allDone = false;
        }
        if (!allDone) {
            List<Integer> running = new ArrayList<>();
            synchronized (done) {
                for (int r = 0; r < n; r++) {
                    if (!done[r]) {
                        running.add(r);
                    }
                }
            }
            Exception cause = interrupted ? new InterruptedException("the caller of WorkerThreads.run was interrupted")
                    : new TimeoutException("run exceeded " + timeoutMillis + " ms");
            comms.forEach(c -> c.abort(cause));
            threads.forEach(Thread::interrupt);
            try {
                finished.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Failure f = first.get();
            throw new CommunicationException("worker run " + (interrupted ? "interrupted" : "timed out after "
                    + timeoutMillis + " ms") + "; ranks " + running
                    + " had not finished" + (f == null ? "" : "; rank " + f.rank + " failed first: " + f.error),
                    f == null ? cause : f.error);
        }
        Failure f = first.get();
        if (f != null) {
            throw new CommunicationException("rank " + f.rank + " failed: " + f.error, f.error);
        }
        List<T> out = new ArrayList<>(n);
        for (Object o : results) {
            @SuppressWarnings("unchecked")
            T t = (T) o;
            out.add(t);
        }
        return out;
    }

    private record Failure(int rank, Throwable error) {}
}
