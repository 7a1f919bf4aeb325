package org.bigmodels.paramserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bigmodels.compression.CompressedGradient;
import org.bigmodels.compression.GradientCompressor;

/**
 * Runs N worker threads against a {@link ParameterServer} for a number of steps: each worker, per step, consults the
 * {@link FaultPlan}, pulls, computes its gradient, optionally compresses it (one {@link GradientCompressor} per worker
 * and parameter, with its residual), and pushes. A worker that throws (an injected fault or a real error) is reported
 * to the server with {@link ParameterServer#workerFailed}; what the server does then is its {@link FailurePolicy}.
 *
 * <p>Every wait is bounded: each pull by the server's timeout, the whole run by {@code runTimeoutMillis} (after which
 * the workers are interrupted and an IllegalStateException lists those still running).
 */
public final class ServerTrainingRun {
    private final int[] stepsCompleted;
    private final long[] pushesSent;
    private final Throwable[] failures;
    private final ServerStats stats;

    private ServerTrainingRun(int[] stepsCompleted, long[] pushesSent, Throwable[] failures, ServerStats stats) {
        this.stepsCompleted = stepsCompleted;
        this.pushesSent = pushesSent;
        this.failures = failures;
        this.stats = stats;
    }

    /**
     * Runs {@code steps} steps on every worker of {@code server} and waits for them.
     *
     * @param compression makes one compressor per (worker, parameter); null sends dense gradients
     * @return the per-worker outcome and the server's accounting, if the server did not stop
     * @throws WorkerFailedException if the server stopped after a failure (FailurePolicy.STOP): names the worker; the
     *     server's {@link ParameterServer#stats()} shows what was applied and abandoned
     * @throws IllegalStateException if a worker timed out waiting, or the run exceeded runTimeoutMillis
     * @throws IllegalArgumentException if steps &lt; 0, runTimeoutMillis &le; 0, or server/gradient/faults is null
     */
    public static ServerTrainingRun run(ParameterServer server, int steps, WorkerGradient gradient, FaultPlan faults,
            Supplier<GradientCompressor> compression, long runTimeoutMillis) {
        if (server == null || gradient == null || faults == null) {
            throw new IllegalArgumentException("ServerTrainingRun: server, gradient and faults must not be null "
                    + "(use FaultPlan.none())");
        }
        if (steps < 0 || runTimeoutMillis <= 0) {
            throw new IllegalArgumentException("ServerTrainingRun: expected steps >= 0 and runTimeoutMillis > 0, got "
                    + steps + " and " + runTimeoutMillis);
        }
        int n = server.workers();
        int[] completed = new int[n];
        long[] sent = new long[n];
        Throwable[] failures = new Throwable[n];
        Thread[] threads = new Thread[n];
        for (int w = 0; w < n; w++) {
            final int worker = w;
            threads[w] = new Thread(() -> workerLoop(server, worker, steps, gradient, faults, compression, completed,
                    sent, failures), "ps-worker-" + w);
            threads[w].setDaemon(true);
        }
        for (Thread t : threads) t.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runTimeoutMillis);
        List<String> stuck = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) threads[w].join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (int w = 0; w < n; w++) {
            if (threads[w].isAlive()) {
                stuck.add("worker " + w);
                threads[w].interrupt();
            }
        }
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("ServerTrainingRun: " + stuck + " still running after " + runTimeoutMillis
                    + " ms; interrupted (raise runTimeoutMillis, or look for a worker that never pushes)");
        }
        WorkerFailedException stop = server.stoppedBy();
        if (stop != null) {
            throw new WorkerFailedException(stop.failedWorker(), stop.step(), stop.getMessage() + "; " + server.stats(),
                    stop.getCause());
        }
        for (Throwable t : failures) {
            if (t instanceof IllegalStateException) throw new IllegalStateException(t.getMessage(), t);
        }
        synchronized (completed) {
            return new ServerTrainingRun(completed.clone(), sent.clone(), failures.clone(), server.stats());
        }
    }

    private static void workerLoop(ParameterServer server, int w, int steps, WorkerGradient gradient,
            FaultPlan faults, Supplier<GradientCompressor> compression, int[] completed, long[] sent,
            Throwable[] failures) {
        GradientCompressor[] compressors = null;
        int step = 0;
        try {
            for (; step < steps; step++) {
                faults.beforeStep(w, step);
                ParameterSnapshot snap;
                try {
                    snap = server.pull(w, step);
                } catch (IllegalStateException timedOut) {
                    // Timed out waiting for others (or interrupted): not this worker's own crash.
                    synchronized (completed) {
                        failures[w] = timedOut;
                    }
                    return;
                }
                float[][] g = gradient.gradient(w, step, snap.parameters());
                if (compression != null && g != null) {
                    if (compressors == null) {
                        compressors = new GradientCompressor[g.length];
                        for (int p = 0; p < g.length; p++) compressors[p] = compression.get();
                    }
                    long bytes = 0;
                    float[][] decoded = new float[g.length][];
                    for (int p = 0; p < g.length; p++) {
                        CompressedGradient c = compressors[p].compress(g[p]);
                        bytes += c.wireBytes();
                        decoded[p] = c.decode();
                    }
                    synchronized (completed) {
                        sent[w]++;
                    }
                    server.push(w, step, snap, decoded, bytes);
                } else {
                    synchronized (completed) {
                        sent[w]++;
                    }
                    server.push(w, step, snap, g);
                }
                synchronized (completed) {
                    completed[w]++;
                }
            }
        } catch (WorkerFailedException e) {
            // Stopped by another worker's failure: not this worker's own crash.
            synchronized (completed) {
                failures[w] = e;
            }
        } catch (RuntimeException | Error e) {
            synchronized (completed) {
                failures[w] = e;
            }
            server.workerFailed(w, step, e);
        }
    }

    /** Steps worker w finished (pulled, computed, pushed). */
    public int stepsCompleted(int worker) {
        return stepsCompleted[worker];
    }

    /** Gradients worker w sent (push attempted). */
    public long pushesSent(int worker) {
        return pushesSent[worker];
    }

    /** Gradients sent by all workers. */
    public long totalPushesSent() {
        long sum = 0;
        for (long s : pushesSent) sum += s;
        return sum;
    }

    /** What ended worker w early (an injected fault, an error), or null if it ran every step. */
    public Throwable failure(int worker) {
        return failures[worker];
    }

    /** The server's accounting at the end of the run. */
    public ServerStats stats() {
        return stats;
    }
}
