package org.bigmodels.dl4j;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.bigmodels.train.Metrics;
import org.bigmodels.train.Stats;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Trains a DL4J {@link MultiLayerNetwork} with DL4J's own data parallelism, {@link ParallelWrapper}
 * (deeplearning4j-parallel-wrapper 1.0.0-M2.1), and reports time per epoch and test accuracy: the industrial
 * counterpart of the course's {@link org.bigmodels.dataparallel.DataParallelTrainer} (07-dl4j-parallelwrapper).
 *
 * <p>What ParallelWrapper does in its default mode, {@code TrainingMode.AVERAGING} (read from its source): it keeps
 * W worker threads, each with a replica of the network; worker 0's replica <em>is</em> the network passed in, the
 * others are copies of it made when {@code fit} starts. Each <em>round</em> it takes W consecutive minibatches from
 * the iterator and gives the i-th to worker i, which takes one ordinary {@code fit} step on it (its own updater,
 * gradient = mean over its minibatch). After every {@code averagingFrequency}-th round it replaces every replica's
 * parameters, and (by default) its updater state, by their arithmetic mean. This is parameter averaging
 * (McDonald et al. 2010; Zinkevich et al. 2010; with k &gt; 1 today's "local SGD", Stich 2019):
 * <ul>
 *   <li>k = 1 and an updater linear in the gradient (plain SGD, momentum): averaging the parameters after one step is
 *       averaging the gradients before it, so a round is one synchronous SGD step on the W minibatches together
 *       (global batch W·B), the same step as the course's all-reduce trainer.</li>
 *   <li>k &gt; 1: the replicas drift apart for k rounds (less communication, staler models), then are averaged.</li>
 *   <li>When {@code fit} returns, the network holds worker 0's replica. If the epoch's round count R is not a
 *       multiple of k, the last R mod k rounds of workers 1..W-1 are dropped (their replicas are discarded, not
 *       averaged in): reported as {@link EpochStats#unaveragedRounds()}. A partial last round (fewer minibatches
 *       than workers) feeds, and averages, only the workers it reaches.</li>
 * </ul>
 * The other modes: {@code SHARED_GRADIENTS} (no averaging; each worker's update is threshold-encoded, Strom 2015,
 * with a residual, and applied by every replica; the averaging frequency is ignored) and {@code CUSTOM} (the same
 * with a user-supplied gradients accumulator; refused here). ParallelWrapper itself refuses fewer than 2 workers
 * and divides by the averaging frequency (0 makes it fail with an {@code ArithmeticException} mid-training); this
 * class checks both first and trains 1 worker as plain {@code net.fit}, the single-worker baseline.
 *
 * <pre>
 *   MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp, new Sgd(0.1));
 *   ParallelWrapperTrainer.Run run = new ParallelWrapperTrainer(2, 4)
 *       .fit(net, 3, e -> RoundRobinShardIterator.epoch(x, y, 10, 32, seed, 2, e), testX, testLabels);
 *   run.accuracy();  run.medianWallSeconds();  run.epochs().get(0).averagings();
 * </pre>
 */
public final class ParallelWrapperTrainer {
    private final int workers;
    private final int averagingFrequency;
    private final int prefetch;
    private final ParallelWrapper.TrainingMode mode;

    /**
     * Averaging mode, a prefetch buffer of {@code workers} minibatches.
     *
     * @param workers            worker threads W, at least 1 (1 = plain {@code net.fit}, no ParallelWrapper)
     * @param averagingFrequency k: parameters averaged after every k-th round, at least 1
     * @throws IllegalArgumentException for workers &lt; 1 or averagingFrequency &lt; 1, saying how to fix it
     */
    public ParallelWrapperTrainer(int workers, int averagingFrequency) {
        this(workers, averagingFrequency, workers, ParallelWrapper.TrainingMode.AVERAGING);
    }

    private ParallelWrapperTrainer(int workers, int averagingFrequency, int prefetch, ParallelWrapper.TrainingMode mode) {
        if (workers < 1) {
            throw new IllegalArgumentException("ParallelWrapperTrainer: expected at least 1 worker, got " + workers
                    + "; use 2 or more for data parallelism (1 trains the plain network, as the baseline)");
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("ParallelWrapperTrainer: expected an averaging frequency of at least 1 "
                    + "(average the replicas after every k-th round), got " + averagingFrequency + "; DL4J's "
                    + "ParallelWrapper would divide by it (0 fails with ArithmeticException mid-training). Use 1 for "
                    + "averaging after every round");
        }
        if (prefetch < 0) {
            throw new IllegalArgumentException("ParallelWrapperTrainer: expected a prefetch buffer of 0 (off) or more "
                    + "minibatches, got " + prefetch);
        }
        if (mode == null || mode == ParallelWrapper.TrainingMode.CUSTOM) {
            throw new IllegalArgumentException("ParallelWrapperTrainer: expected TrainingMode AVERAGING or "
                    + "SHARED_GRADIENTS, got " + mode + " (CUSTOM needs a gradients accumulator; build the "
                    + "ParallelWrapper yourself for it)");
        }
        this.workers = workers;
        this.averagingFrequency = averagingFrequency;
        this.prefetch = prefetch;
        this.mode = mode;
    }

    /** The same trainer with a prefetch buffer of {@code batches} minibatches (0 = none; DL4J's default is 16). */
    public ParallelWrapperTrainer withPrefetch(int batches) {
        return new ParallelWrapperTrainer(workers, averagingFrequency, batches, mode);
    }

    /** The same trainer in another mode: AVERAGING (the default) or SHARED_GRADIENTS (averaging frequency ignored). */
    public ParallelWrapperTrainer withMode(ParallelWrapper.TrainingMode mode) {
        return new ParallelWrapperTrainer(workers, averagingFrequency, prefetch, mode);
    }

    /** W, the number of worker threads (at least 1; 1 = plain {@code net.fit}). */
    public int workers() {
        return workers;
    }

    /** k, the averaging frequency: parameters are averaged after every k-th round (at least 1; AVERAGING mode only). */
    public int averagingFrequency() {
        return averagingFrequency;
    }

    /** The training mode: AVERAGING (the default) or SHARED_GRADIENTS. */
    public ParallelWrapper.TrainingMode mode() {
        return mode;
    }

    /**
     * One epoch's measurements.
     *
     * @param wallSeconds      wall-clock time of the epoch, s
     * @param cpuSeconds       CPU time of the whole JVM during the epoch (all threads), s; NaN if the JVM cannot tell
     * @param dataSets         minibatches consumed
     * @param rounds           rounds: ceil(dataSets / W) (dataSets for W = 1)
     * @param averagings       parameter averagings: floor(rounds / k) in AVERAGING mode with W &ge; 2, else 0
     * @param unaveragedRounds rounds after the last averaging, whose updates by workers 1..W-1 were dropped
     */
    public record EpochStats(double wallSeconds, double cpuSeconds, int dataSets, int rounds, int averagings,
                             int unaveragedRounds) {
    }

    /**
     * Trains {@code net} in place for one pass over {@code data} (reset first if it is exhausted) and measures it.
     *
     * @throws IllegalArgumentException for a null network or iterator, or an iterator with no data
     */
    public EpochStats fitEpoch(MultiLayerNetwork net, DataSetIterator data) {
        if (net == null || data == null) {
            throw new IllegalArgumentException("ParallelWrapperTrainer.fitEpoch: expected a network and an iterator, "
                    + "got " + net + " and " + data);
        }
        if (!data.hasNext() && data.resetSupported()) data.reset();
        if (!data.hasNext()) {
            throw new IllegalArgumentException("ParallelWrapperTrainer.fitEpoch: the iterator has no data (and cannot "
                    + "be reset)");
        }
        Counting counted = new Counting(data, workers > 1 ? () -> awaitReplicas(workers) : null);
        long cpu0 = processCpuNanos(), t0 = System.nanoTime();
        if (workers == 1) {
            net.fit(counted);
        } else {
            // A fresh wrapper per epoch: its round counter starts at 0, so averagings fall at rounds k, 2k, ...
            ParallelWrapper pw = new ParallelWrapper.Builder<>(net)
                    .workers(workers)
                    .averagingFrequency(averagingFrequency)
                    .prefetchBuffer(prefetch)
                    .trainingMode(mode)
                    .reportScoreAfterAveraging(false)
                    .build();
            try {
                pw.fit(counted);
            } finally {
                pw.shutdown();
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu1 = processCpuNanos();
        double cpu = cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e9;
        int n = counted.count;
        int rounds = (n + workers - 1) / workers;
        boolean averaging = workers > 1 && mode == ParallelWrapper.TrainingMode.AVERAGING;
        int averagings = averaging ? rounds / averagingFrequency : 0;
        int unaveraged = averaging ? rounds - averagings * averagingFrequency : 0;
        return new EpochStats(wall, cpu, n, rounds, averagings, unaveraged);
    }

    /**
     * A training run: the trained network, the trainer's settings, each epoch's measurements and the test accuracy.
     *
     * @param accuracy fraction of the {@code testSize} test examples classified correctly
     */
    public record Run(MultiLayerNetwork net, int workers, int averagingFrequency, ParallelWrapper.TrainingMode mode,
                      List<EpochStats> epochs, double accuracy, int testSize) {
        /** The accuracy's standard error, sqrt(a(1-a)/n) ({@link Metrics#accuracyStandardError}). */
        public double standardError() {
            return Metrics.accuracyStandardError(accuracy, testSize);
        }

        /** Median wall-clock seconds per epoch. */
        public double medianWallSeconds() {
            return Stats.median(epochs.stream().mapToDouble(EpochStats::wallSeconds).toArray());
        }

        /** Median JVM CPU seconds per epoch (all threads). */
        public double medianCpuSeconds() {
            return Stats.median(epochs.stream().mapToDouble(EpochStats::cpuSeconds).toArray());
        }
    }

    /**
     * Trains {@code net} in place for {@code epochs} epochs, epoch e on {@code epochData.apply(e)}, then measures its
     * accuracy on (testX, testLabels).
     *
     * @param testX      [n, d] in the network's data type
     * @param testLabels n class indices
     * @throws IllegalArgumentException for a null argument, epochs &lt; 1, or test arrays of different lengths
     */
    public Run fit(MultiLayerNetwork net, int epochs, IntFunction<DataSetIterator> epochData, INDArray testX,
                   int[] testLabels) {
        if (net == null || epochData == null || testX == null || testLabels == null) {
            throw new IllegalArgumentException("ParallelWrapperTrainer.fit: expected a network, an epoch's data, test "
                    + "inputs and labels; got a null");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("ParallelWrapperTrainer.fit: expected at least 1 epoch, got " + epochs);
        }
        if (testX.rank() != 2 || testX.size(0) != testLabels.length || testLabels.length == 0) {
            throw new IllegalArgumentException("ParallelWrapperTrainer.fit: expected test inputs [n, d] and n >= 1 "
                    + "labels, got " + java.util.Arrays.toString(testX.shape()) + " and " + testLabels.length);
        }
        List<EpochStats> stats = new ArrayList<>();
        for (int e = 0; e < epochs; e++) stats.add(fitEpoch(net, epochData.apply(e)));
        double accuracy = Metrics.accuracy(net.output(testX, false), testLabels);
        return new Run(net, workers, averagingFrequency, mode, List.copyOf(stats), accuracy, testLabels.length);
    }

    /** CPU time of every thread of this JVM so far, ns, or -1 when the platform does not report it. */
    static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        return -1;
    }

    /** Longest wait for ParallelWrapper's replicas to be ready, ms. */
    static final long REPLICA_TIMEOUT_MILLIS = 60_000;

    /**
     * Waits until {@code workers} of ParallelWrapper's trainer threads are idle in their queue, i.e. have built their
     * replicas. Why: in DL4J 1.0.0-M2.1 each replica copies the network's weights on its own thread, when that thread
     * starts, while worker 0 trains the network itself as soon as it is fed; a replica that starts late copies weights
     * worker 0 has already stepped, and the first averaging is off (measured: 5 % relative error in the weights, in
     * one run out of two). So the first minibatch is handed out only once every replica is waiting for work.
     *
     * @throws IllegalStateException if they are not ready within {@link #REPLICA_TIMEOUT_MILLIS}
     */
    static void awaitReplicas(int workers) {
        java.util.Set<Long> ready = new java.util.HashSet<>();
        long deadline = System.nanoTime() + REPLICA_TIMEOUT_MILLIS * 1_000_000L;
        while (ready.size() < workers) {
            for (var e : Thread.getAllStackTraces().entrySet()) {
                if (!e.getKey().getName().startsWith("ParallelWrapper training thread")) continue;
                boolean inRun = false, polling = false;
                for (StackTraceElement f : e.getValue()) {
                    if (f.getClassName().endsWith("LinkedBlockingQueue") && f.getMethodName().equals("poll")) polling = true;
                    if (f.getClassName().startsWith("org.deeplearning4j.parallelism.trainer.")
                            && f.getMethodName().equals("run")) inRun = true;
                }
                if (inRun && polling) ready.add(e.getKey().getId());
            }
            if (ready.size() >= workers) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ParallelWrapperTrainer: only " + ready.size() + " of " + workers
                        + " ParallelWrapper replicas were ready after " + REPLICA_TIMEOUT_MILLIS / 1000 + " s; a worker "
                        + "thread is stuck or failed while copying the network");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000L);
        }
    }

    /** Passes an iterator through, counting the data sets taken from it; runs {@code beforeFirst} before the first. */
    private static final class Counting implements DataSetIterator {
        private static final long serialVersionUID = 1L;
        private final transient DataSetIterator in;
        private transient Runnable beforeFirst;
        private volatile int count;

        Counting(DataSetIterator in, Runnable beforeFirst) {
            this.in = in;
            this.beforeFirst = beforeFirst;
        }

        private void first() {
            if (beforeFirst != null) {
                Runnable r = beforeFirst;
                beforeFirst = null;
                r.run();
            }
        }

        @Override public boolean hasNext() { return in.hasNext(); }
        @Override public DataSet next() { first(); DataSet d = in.next(); count++; return d; }
        @Override public DataSet next(int num) { first(); DataSet d = in.next(num); count++; return d; }
        @Override public int inputColumns() { return in.inputColumns(); }
        @Override public int totalOutcomes() { return in.totalOutcomes(); }
        @Override public boolean resetSupported() { return in.resetSupported(); }
        @Override public boolean asyncSupported() { return in.asyncSupported(); }
        @Override public void reset() { in.reset(); count = 0; }
        @Override public int batch() { return in.batch(); }
        @Override public void setPreProcessor(DataSetPreProcessor p) { in.setPreProcessor(p); }
        @Override public DataSetPreProcessor getPreProcessor() { return in.getPreProcessor(); }
        @Override public List<String> getLabels() { return in.getLabels(); }
    }
}
