package org.bigmodels.dataparallel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;

/**
 * Bucketed data parallelism whose communication overlaps backward: a hook on every parameter
 * ({@link Tensor#onGradReady}) copies its gradient into its bucket as soon as it is final; when a bucket's last
 * gradient arrives, its all-reduce starts on this replica's communication thread while backward goes on with the
 * earlier layers. Before the update, {@link #synchronize} waits for every bucket (at most {@code waitMillis}) and
 * copies the means back. With the buckets filled from the last layer (as {@link DataParallelBucketed} does) most of
 * the communication hides behind the backward of the first layers. PyTorch DDP's reducer (Li et al., VLDB 2020,
 * section 3.2.3): buckets are launched strictly in bucket order, so every rank issues its all-reduces in the same
 * order even when its gradients become ready in another.
 *
 * <p>Rules: one backward per step outside {@link #noSync} (a second one after a bucket was sent is an error: its
 * all-reduce would carry a stale gradient); a parameter not reached by backward is sent as it is (zero if it has no
 * gradient) when {@link #synchronize} runs. The communication thread is the only user of the communicator while a
 * step is in flight. {@link #close()} stops it.
 */
public class DataParallelOverlapped extends DataParallelBucketed {
    private final long waitMillis;
    private final ExecutorService commThread;
    private final List<Runnable> hookRemovers = new ArrayList<>();
    private final boolean[] packed;     // per parameter: its gradient is in its slot for this step
    private final int[] missing;        // per bucket: parameters not yet packed
    private final List<Future<?>> launched = new ArrayList<>(); // bucket b's all-reduce is launched.get(b)

    /**
     * A collective: every rank constructs its own at the same point (rank 0's weights are broadcast).
     *
     * @param bucketBytes capacity of a bucket in bytes, > 0
     * @param waitMillis  longest wait for the outstanding all-reduces before the update, ms, > 0
     * @throws IllegalArgumentException for bucketBytes <= 0 or waitMillis <= 0, and see {@link DataParallel#DataParallel}
     */
    public DataParallelOverlapped(Communicator comm, Module model, long bucketBytes, long waitMillis) {
        super(comm, model, bucketBytes);
        if (waitMillis <= 0) {
            throw new IllegalArgumentException("DataParallelOverlapped: expected a wait time-out > 0 ms, got "
                    + waitMillis);
        }
        this.waitMillis = waitMillis;
        this.packed = new boolean[parameters.size()];
        this.missing = new int[buckets.size()];
        int rank = comm.rank();
        this.commThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ddp-comm-rank-" + rank);
            t.setDaemon(true);
            return t;
        });
        for (Tensor p : parameters) hookRemovers.add(p.onGradReady(this::gradReady));
        prepare();
    }

    /** With a wait time-out of twice the communicator's receive time-out. */
    public DataParallelOverlapped(Communicator comm, Module model, long bucketBytes) {
        this(comm, model, bucketBytes, 2 * comm.timeoutMillis());
    }

    @Override
    protected void prepare() {
        java.util.Arrays.fill(packed, false);
        for (Bucket b : buckets) missing[b.id] = b.params.size();
        launched.clear();
    }

    /** The hook: runs on the backward thread when parameter p's gradient is final. */
    private void gradReady(Tensor p) {
        if (!isSyncEnabled()) return; // accumulating locally: the last backward will send the sum
        int i = indexOf(p);
        Bucket b = buckets.get(bucketOf[i]);
        if (b.id < launched.size()) {
            throw new IllegalStateException("DataParallelOverlapped: a second backward reached parameter #" + i + " ("
                    + p.name() + ") after its bucket " + b.id + " was sent; run all backward passes but the last of a "
                    + "step inside noSync()");
        }
        pack(b, slotOf[i]);
        if (!packed[i]) {
            packed[i] = true;
            missing[b.id]--;
        }
        launchReady();
    }

    /** Launches, in bucket order, every bucket whose gradients are all packed and whose predecessors are launched. */
    private void launchReady() {
        while (launched.size() < buckets.size() && missing[launched.size()] == 0) {
            Bucket b = buckets.get(launched.size());
            launched.add(commThread.submit(() -> {
                long start = System.nanoTime();
                allReduceSum(b);
                record(WorkerEvent.COMMUNICATION, "AR " + b.id, start, System.nanoTime());
                return null;
            }));
        }
    }

    @Override
    protected void reduce() {
        // parameters backward did not reach this step: send what they hold
        for (int i = 0; i < parameters.size(); i++) {
            if (!packed[i]) {
                Bucket b = buckets.get(bucketOf[i]);
                if (b.id >= launched.size()) {
                    pack(b, slotOf[i]);
                    packed[i] = true;
                    missing[b.id]--;
                }
            }
        }
        launchReady();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (int id = 0; id < launched.size(); id++) {
            try {
                launched.get(id).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("DataParallelOverlapped: rank " + rank() + " waited " + waitMillis
                        + " ms for the all-reduce of bucket " + id + " of " + buckets.size() + " at step "
                        + currentStep() + "; a peer is slow or stopped (raise waitMillis for a slow link)", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) throw r;
                throw new IllegalStateException("DataParallelOverlapped: rank " + rank() + ", bucket " + id + ": " + c,
                        c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DataParallelOverlapped: rank " + rank() + " interrupted while "
                        + "waiting for bucket " + id, e);
            }
        }
        record(WorkerEvent.WAIT, "wait", start, System.nanoTime());
        for (Bucket b : buckets) unpack(b);
        prepare();
    }

    /** Buckets whose all-reduce has been started in the current step (during backward: the overlap). */
    public int bucketsLaunched() {
        return launched.size();
    }

    /** Stops the communication thread and removes the hooks. */
    @Override
    public void close() {
        hookRemovers.forEach(Runnable::run);
        hookRemovers.clear();
        commThread.shutdownNow();
    }
}
