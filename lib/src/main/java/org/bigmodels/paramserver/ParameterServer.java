package org.bigmodels.paramserver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A parameter server for N worker threads in this JVM: the parameters live on the server, split by parameter over
 * S shards; each worker repeatedly {@link #pull}s the parameters, computes a gradient on its own data, and
 * {@link #push}es it; the server applies plain SGD, {@code w -= lr·g}. When a push is applied, and how long a pull
 * waits, is the {@link ConsistencyModel}: synchronous (BSP: the average of all N gradients of a step, applied once),
 * asynchronous (each push as it arrives), or bounded staleness (SSP: as it arrives, but no worker more than s steps
 * ahead of the slowest).
 *
 * <p>Sources: Dean et al., "Large scale distributed deep networks" (Downpour SGD), NeurIPS 2012; Li et al., "Scaling
 * distributed machine learning with the parameter server", OSDI 2014 (sharded servers, consistency models);
 * Ho et al., "More effective distributed ML via a stale synchronous parallel parameter server", NeurIPS 2013.
 *
 * <p><b>Protocol</b> per worker w and step t = 0, 1, 2, ...: {@code snap = pull(w, t)}, compute g on
 * {@code snap.parameters()}, {@code push(w, t, snap, g)}. Steps must come in order, one pull and one push each; a
 * second push of the same step is refused, so no gradient can be applied twice. A worker that crashes must be
 * reported with {@link #workerFailed} (the {@link ServerTrainingRun} loop does this).
 *
 * <p><b>Staleness</b> of an applied gradient = the updates applied to its shards after the pull it was computed on
 * and before it (the shard's version at apply minus the version pulled; the max over shards). Under BSP it is 0;
 * under SSP with bound s it is at most (N-1)(2s+1); asynchronous, unbounded. The SSP bound s itself is on the
 * <i>clock lag</i> (Ho et al.'s staleness, in steps): how far a worker's step is ahead of the slowest live worker
 * when it pulls. Both are kept, one value per gradient or pull, for histograms ({@link ServerStats}).
 *
 * <p><b>Accounting</b>: pushes received, applied and abandoned, bytes pushed and pulled (4 per float; a compressed
 * push reports its own wire bytes). <b>Errors</b>: every wait is bounded by {@code timeoutMillis} and fails with an
 * IllegalStateException naming the workers waited for; a stopped server fails waits and pushes with a
 * {@link WorkerFailedException}; bad arguments give an IllegalArgumentException saying what was expected.
 * Thread safety: any number of workers may call concurrently, each with its own worker index.
 */
public final class ParameterServer {
    private final int workers;
    private final ConsistencyModel consistency;
    private final int staleness;
    private final double learningRate;
    private final FailurePolicy policy;
    private final long timeoutMillis;
    private final int[] lengths;
    private final int[] shardOf;
    private final ServerShard[] shards;
    private final long totalElements;

    // Control state, guarded by `control`.
    private final ReentrantLock control = new ReentrantLock();
    private final Condition changed = control.newCondition();
    /** next[w]: the step worker w may pull or push next (claimed at push time, so a step is pushed once). */
    private final int[] next;
    /** clock[w]: steps of worker w whose gradient is applied (or held by BSP); the SSP clock. */
    private final int[] clock;
    private final boolean[] live;
    private final float[][][] pending;
    private final long[][] pendingVersions;
    private long bspStep;
    private WorkerFailedException stopped;
    private long received, applied, abandoned, updates, stepsAbandoned, bytesPushed, bytesPulled;
    private final List<Integer> stalenessLog = new ArrayList<>();
    private final List<Integer> clockLagLog = new ArrayList<>();
    private final List<Integer> failed = new ArrayList<>();

    private ParameterServer(Builder b) {
        this.workers = b.workers;
        this.consistency = b.consistency;
        this.staleness = b.staleness;
        this.learningRate = b.learningRate;
        this.policy = b.policy;
        this.timeoutMillis = b.timeoutMillis;
        int p = b.initial.length;
        this.lengths = new int[p];
        long total = 0;
        for (int i = 0; i < p; i++) {
            lengths[i] = b.initial[i].length;
            total += lengths[i];
        }
        this.totalElements = total;
        this.shardOf = assignShards(lengths, b.shards);
        this.shards = new ServerShard[b.shards];
        for (int s = 0; s < b.shards; s++) {
            int count = 0;
            for (int i = 0; i < p; i++) if (shardOf[i] == s) count++;
            int[] mine = new int[count];
            for (int i = 0, j = 0; i < p; i++) if (shardOf[i] == s) mine[j++] = i;
            shards[s] = new ServerShard(s, mine, b.initial);
        }
        this.next = new int[workers];
        this.clock = new int[workers];
        this.live = new boolean[workers];
        Arrays.fill(live, true);
        this.pending = new float[workers][][];
        this.pendingVersions = new long[workers][];
    }

    /**
     * Shards by parameter, balancing elements: parameters from largest to smallest (ties: lower index first), each to
     * the shard holding the fewest elements so far (ties: lower shard). Returns shardOf[param].
     */
    static int[] assignShards(int[] lengths, int shards) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> lengths[a] != lengths[b] ? Integer.compare(lengths[b], lengths[a])
                : Integer.compare(a, b));
        long[] load = new long[shards];
        int[] shardOf = new int[lengths.length];
        for (int i : order) {
            int best = 0;
            for (int s = 1; s < shards; s++) if (load[s] < load[best]) best = s;
            shardOf[i] = best;
            load[best] += lengths[i];
        }
        return shardOf;
    }

    /** Starts a configuration from the initial parameters (float[P][length_p], copied at build). */
    public static Builder builder(float[][] initialParameters) {
        return new Builder(initialParameters);
    }

    /** The configuration of a {@link ParameterServer}; defaults: 1 shard, SYNCHRONOUS, STOP, lr 0.1, 10 s waits. */
    public static final class Builder {
        private final float[][] initial;
        private int workers = -1;
        private int shards = 1;
        private ConsistencyModel consistency = ConsistencyModel.SYNCHRONOUS;
        private int staleness = 0;
        private double learningRate = 0.1;
        private FailurePolicy policy = FailurePolicy.STOP;
        private long timeoutMillis = 10_000;

        private Builder(float[][] initial) {
            this.initial = initial;
        }

        /** The number of workers N (required, &ge; 1). */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** The number of server shards S, 1 &le; S &le; number of parameters. */
        public Builder shards(int s) {
            this.shards = s;
            return this;
        }

        /** The consistency model (default SYNCHRONOUS). */
        public Builder consistency(ConsistencyModel c) {
            this.consistency = c;
            return this;
        }

        /** The SSP bound s &ge; 0 in steps (used by BOUNDED_STALENESS only; s = 0 is lock-step without averaging). */
        public Builder staleness(int s) {
            this.staleness = s;
            return this;
        }

        /** The SGD learning rate, &gt; 0. */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** What a synchronous or SSP server does when a worker fails (default STOP; see {@link FailurePolicy}). */
        public Builder onFailure(FailurePolicy p) {
            this.policy = p;
            return this;
        }

        /** The longest any pull may wait, in milliseconds, &gt; 0. */
        public Builder timeoutMillis(long ms) {
            this.timeoutMillis = ms;
            return this;
        }

        /**
         * Checks the configuration and builds the server.
         *
         * @throws IllegalArgumentException naming the first bad setting, what was expected and what was got
         */
        public ParameterServer build() {
            if (initial == null || initial.length == 0) {
                throw new IllegalArgumentException("ParameterServer: expected at least one parameter, got "
                        + (initial == null ? "null" : "none"));
            }
            for (int i = 0; i < initial.length; i++) {
                if (initial[i] == null || initial[i].length == 0) {
                    throw new IllegalArgumentException("ParameterServer: parameter " + i + " is empty or null");
                }
                for (int j = 0; j < initial[i].length; j++) {
                    if (!Float.isFinite(initial[i][j])) {
                        throw new IllegalArgumentException("ParameterServer: parameter " + i + "[" + j + "] = "
                                + initial[i][j] + " is not finite");
                    }
                }
            }
            if (workers < 1) {
                throw new IllegalArgumentException("ParameterServer: expected workers >= 1, got " + workers
                        + (workers == -1 ? " (call workers(n))" : ""));
            }
            if (shards < 1 || shards > initial.length) {
                throw new IllegalArgumentException("ParameterServer: shards must be in [1, " + initial.length
                        + "] (sharding is by parameter, and there are " + initial.length + "), got " + shards);
            }
            if (consistency == null || policy == null) {
                throw new IllegalArgumentException("ParameterServer: consistency and failure policy must not be null");
            }
            if (staleness < 0) {
                throw new IllegalArgumentException("ParameterServer: staleness bound must be >= 0 steps, got "
                        + staleness);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("ParameterServer: learning rate must be finite and > 0, got "
                        + learningRate);
            }
            if (timeoutMillis <= 0) {
                throw new IllegalArgumentException("ParameterServer: timeoutMillis must be > 0, got " + timeoutMillis);
            }
            return new ParameterServer(this);
        }
    }

    /** The number of workers N. */
    public int workers() {
        return workers;
    }

    /** The number of shards S. */
    public int shardCount() {
        return shards.length;
    }

    /** Which shard holds parameter {@code param}. */
    public int shardOf(int param) {
        return shardOf[param];
    }

    /** The consistency model. */
    public ConsistencyModel consistency() {
        return consistency;
    }

    /** The longest a pull waits, in milliseconds. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * Worker {@code worker}'s read of the parameters for its step {@code step}, waiting (at most timeoutMillis) as
     * the consistency model requires: BSP until step {@code step - 1} is applied; SSP until the slowest live worker
     * has pushed at least {@code step - s} steps; asynchronous never.
     *
     * @throws IllegalArgumentException if worker is out of [0, N)
     * @throws IllegalStateException if step is not this worker's next step, the worker was reported failed, the
     *     wait timed out (naming the workers waited for), or the thread was interrupted
     * @throws WorkerFailedException if the server stopped after a failure
     */
    public ParameterSnapshot pull(int worker, int step) {
        checkWorker(worker);
        int lag;
        control.lock();
        try {
            checkStep(worker, step, "pull");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                if (stopped != null) throw stoppedFor(worker);
                if (ready(step)) break;
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IllegalStateException(waitingMessage(worker, step));
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("ParameterServer: worker " + worker + " interrupted in pull", e);
                }
            }
            lag = step - minLiveClock();
            clockLagLog.add(lag);
            bytesPulled += 4 * totalElements;
        } finally {
            control.unlock();
        }
        float[][] params = new float[lengths.length][];
        long[] versions = new long[shards.length];
        for (ServerShard s : shards) versions[s.index] = s.read(params);
        return new ParameterSnapshot(worker, step, params, versions, lag);
    }

    /** Pushes a dense gradient: {@link #push(int, int, ParameterSnapshot, float[][], long)} with 4 bytes per float. */
    public void push(int worker, int step, ParameterSnapshot basedOn, float[][] gradient) {
        push(worker, step, basedOn, gradient, 4 * totalElements);
    }

    /**
     * Worker {@code worker}'s gradient for step {@code step}, computed on {@code basedOn}. Asynchronous and SSP: applied
     * now ({@code w -= lr·g}). BSP: held until every live worker has pushed this step, then the average is applied
     * once; the last pusher applies it.
     *
     * @param gradient float[P][length_p], finite, shaped like the parameters (not kept: copied)
     * @param wireBytes the bytes this push cost on the wire (counted in {@link ServerStats#bytesPushed()})
     * @throws IllegalArgumentException on a shape mismatch or a non-finite element (named), a snapshot of another
     *     worker or step, or negative wireBytes
     * @throws IllegalStateException if this worker already pushed this step, pushes out of order, or was reported
     *     failed
     * @throws WorkerFailedException if the server stopped (the push is counted as abandoned)
     */
    public void push(int worker, int step, ParameterSnapshot basedOn, float[][] gradient, long wireBytes) {
        checkWorker(worker);
        checkGradient(gradient);
        if (basedOn == null || basedOn.worker() != worker || basedOn.step() != step) {
            throw new IllegalArgumentException("ParameterServer.push: worker " + worker + " step " + step
                    + " must push with the snapshot it pulled for that step, got "
                    + (basedOn == null ? "null" : "worker " + basedOn.worker() + " step " + basedOn.step()));
        }
        if (wireBytes < 0) throw new IllegalArgumentException("ParameterServer.push: wireBytes < 0: " + wireBytes);
        if (consistency == ConsistencyModel.SYNCHRONOUS) {
            pushSynchronous(worker, step, basedOn, gradient, wireBytes);
        } else {
            pushImmediate(worker, step, basedOn, gradient, wireBytes);
        }
    }

    private void pushSynchronous(int worker, int step, ParameterSnapshot basedOn, float[][] g, long wireBytes) {
        control.lock();
        try {
            checkStep(worker, step, "push");
            received++;
            bytesPushed += wireBytes;
            if (stopped != null) {
                abandoned++;
                throw stoppedFor(worker);
            }
            float[][] copy = new float[g.length][];
            for (int p = 0; p < g.length; p++) copy[p] = g[p].clone();
            pending[worker] = copy;
            pendingVersions[worker] = basedOn.versions().clone();
            next[worker]++;
            clock[worker]++;
            completeSynchronousStepIfReady();
        } finally {
            control.unlock();
        }
    }

    /** Under control: if every live worker has pushed, applies the average of the pending gradients once. */
    private void completeSynchronousStepIfReady() {
        int count = 0;
        for (int w = 0; w < workers; w++) {
            if (live[w] && pending[w] == null) return;
            if (pending[w] != null) count++;
        }
        if (count == 0) return;
        double[][] delta = new double[lengths.length][];
        for (int p = 0; p < lengths.length; p++) {
            double[] d = new double[lengths[p]];
            for (int w = 0; w < workers; w++) {   // in worker order: deterministic rounding
                if (pending[w] == null) continue;
                float[] gp = pending[w][p];
                for (int i = 0; i < d.length; i++) d[i] += gp[i];
            }
            for (int i = 0; i < d.length; i++) d[i] = learningRate * d[i] / count;
            delta[p] = d;
        }
        long[] before = new long[shards.length];
        for (ServerShard s : shards) before[s.index] = s.apply(delta);
        for (int w = 0; w < workers; w++) {
            if (pending[w] == null) continue;
            stalenessLog.add(staleness(before, pendingVersions[w]));
            pending[w] = null;
            pendingVersions[w] = null;
        }
        applied += count;
        updates++;
        bspStep++;
        changed.signalAll();
    }

    private void pushImmediate(int worker, int step, ParameterSnapshot basedOn, float[][] g, long wireBytes) {
        control.lock();
        try {
            checkStep(worker, step, "push");
            received++;
            bytesPushed += wireBytes;
            if (stopped != null) {
                abandoned++;
                throw stoppedFor(worker);
            }
            next[worker]++; // claimed under the lock: a second push of this step is refused from here on
        } finally {
            control.unlock();
        }
        double[][] delta = new double[g.length][];
        for (int p = 0; p < g.length; p++) {
            double[] d = new double[g[p].length];
            for (int i = 0; i < d.length; i++) d[i] = learningRate * g[p][i];
            delta[p] = d;
        }
        long[] before = new long[shards.length];
        for (ServerShard s : shards) before[s.index] = s.apply(delta); // each shard under its own lock
        control.lock();
        try {
            applied++;
            updates++;
            clock[worker]++; // only now may SSP waiters count this step as done
            stalenessLog.add(staleness(before, basedOn.versions()));
            changed.signalAll();
        } finally {
            control.unlock();
        }
    }

    private static int staleness(long[] versionAtApply, long[] versionPulled) {
        long max = 0;
        for (int s = 0; s < versionAtApply.length; s++) max = Math.max(max, versionAtApply[s] - versionPulled[s]);
        return (int) max;
    }

    /**
     * Reports that {@code worker} failed at {@code step} (it will not pull or push again). Asynchronous: the others
     * carry on. BSP and SSP: with {@link FailurePolicy#STOP} the server stops: a BSP step in progress is abandoned
     * (its held gradients counted as abandoned), and every wait and push fails with a {@link WorkerFailedException}
     * naming {@code worker}; with CONTINUE_WITH_SURVIVORS the worker leaves the group and a BSP step in progress
     * completes with the gradients already received. Reporting the same worker twice is a no-op.
     */
    public void workerFailed(int worker, int step, Throwable cause) {
        checkWorker(worker);
        control.lock();
        try {
            if (!live[worker]) return;
            live[worker] = false;
            failed.add(worker);
            if (consistency != ConsistencyModel.ASYNCHRONOUS && policy == FailurePolicy.STOP && stopped == null) {
                long dropped = 0;
                for (int w = 0; w < workers; w++) {
                    if (pending[w] != null) {
                        dropped++;
                        pending[w] = null;
                        pendingVersions[w] = null;
                    }
                }
                abandoned += dropped;
                if (consistency == ConsistencyModel.SYNCHRONOUS) stepsAbandoned++;
                stopped = new WorkerFailedException(worker, step, "parameter server stopped: worker " + worker
                        + " failed at step " + step + " (" + (cause == null ? "no cause given" : cause.getMessage())
                        + "); " + (consistency == ConsistencyModel.SYNCHRONOUS ? "synchronous step " + bspStep
                        + " abandoned with " + dropped + " gradient(s) received and not applied; " : "")
                        + "policy STOP (use FailurePolicy.CONTINUE_WITH_SURVIVORS to go on without it)", cause);
            } else if (consistency == ConsistencyModel.SYNCHRONOUS) {
                completeSynchronousStepIfReady();
            }
            changed.signalAll();
        } finally {
            control.unlock();
        }
    }

    /** The failure that stopped the server, or null while it runs. */
    public WorkerFailedException stoppedBy() {
        control.lock();
        try {
            return stopped;
        } finally {
            control.unlock();
        }
    }

    /** A copy of the current parameters, float[P][length_p] (each shard read under its lock). */
    public float[][] parameters() {
        float[][] out = new float[lengths.length][];
        for (ServerShard s : shards) s.read(out);
        return out;
    }

    /** The accounting so far (a consistent snapshot). */
    public ServerStats stats() {
        control.lock();
        try {
            long held = 0;
            for (float[][] p : pending) if (p != null) held++;
            return new ServerStats(received, applied, abandoned, held, updates, stepsAbandoned, bytesPushed,
                    bytesPulled, List.copyOf(stalenessLog), List.copyOf(clockLagLog), List.copyOf(failed));
        } finally {
            control.unlock();
        }
    }

    // ---- helpers, called under `control` unless said otherwise ----

    private boolean ready(int step) {
        switch (consistency) {
            case SYNCHRONOUS:
                return bspStep >= step;
            case BOUNDED_STALENESS:
                return step - minLiveClock() <= staleness;
            default:
                return true;
        }
    }

    private int minLiveClock() {
        int min = Integer.MAX_VALUE;
        for (int w = 0; w < workers; w++) if (live[w]) min = Math.min(min, clock[w]);
        return min == Integer.MAX_VALUE ? 0 : min;
    }

    private String waitingMessage(int worker, int step) {
        List<String> behind = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            boolean late = consistency == ConsistencyModel.SYNCHRONOUS ? live[w] && clock[w] < step
                    : live[w] && step - clock[w] > staleness;
            if (late) behind.add("worker " + w + " at step " + clock[w]);
        }
        return "ParameterServer: worker " + worker + " waited " + timeoutMillis + " ms to start step " + step + " ("
                + consistency + (consistency == ConsistencyModel.BOUNDED_STALENESS ? ", s=" + staleness : "")
                + ") for " + behind + ": a straggler, or a worker that died without workerFailed(); raise "
                + "timeoutMillis for slow workers";
    }

    private WorkerFailedException stoppedFor(int worker) {
        return new WorkerFailedException(stopped.failedWorker(), stopped.step(), stopped.getMessage()
                + " [seen by worker " + worker + "]", stopped);
    }

    private void checkStep(int worker, int step, String what) {
        if (!live[worker]) {
            throw new IllegalStateException("ParameterServer." + what + ": worker " + worker
                    + " was reported failed and may not " + what + " again");
        }
        int expected = next[worker];
        if (step != expected) {
            throw new IllegalStateException("ParameterServer." + what + ": worker " + worker + " is at step "
                    + expected + " (" + expected + " pushes applied or held), got step " + step
                    + (step < expected ? ": that step was already pushed; a gradient is applied once" : ""));
        }
    }

    private void checkWorker(int worker) {
        if (worker < 0 || worker >= workers) {
            throw new IllegalArgumentException("ParameterServer: worker must be in [0, " + workers + "), got "
                    + worker);
        }
    }

    private void checkGradient(float[][] g) {
        if (g == null || g.length != lengths.length) {
            throw new IllegalArgumentException("ParameterServer.push: expected " + lengths.length
                    + " gradient arrays (one per parameter), got " + (g == null ? "null" : g.length));
        }
        for (int p = 0; p < g.length; p++) {
            if (g[p] == null || g[p].length != lengths[p]) {
                throw new IllegalArgumentException("ParameterServer.push: gradient " + p + " must have "
                        + lengths[p] + " elements (like its parameter), got " + (g[p] == null ? "null" : g[p].length));
            }
            for (int i = 0; i < g[p].length; i++) {
                if (!Float.isFinite(g[p][i])) {
                    throw new IllegalArgumentException("ParameterServer.push: gradient " + p + "[" + i + "] = "
                            + g[p][i] + " is not finite; nothing was applied");
                }
            }
        }
    }
}
