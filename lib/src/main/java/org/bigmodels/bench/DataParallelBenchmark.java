package org.bigmodels.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.data.TinyShakespeare;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.dataparallel.DistributedSampler;
import org.bigmodels.dataparallel.WorkerEvent;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.MLP;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.optim.SGD;
import org.bigmodels.text.CharTokenizer;
import org.bigmodels.text.TextBatches;
import org.bigmodels.train.Batch;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Data-parallel scaling on this machine: the throughput of 2 synchronous workers against 1 (weak scaling: each worker
 * keeps its batch, so 2 workers process twice the examples per step), for LeNet-300-100 on MNIST and for the tiny GPT
 * of 04-tiny-gpt (2 layers, width 64, 4 heads, context 32) on Tiny Shakespeare; and the share of a step spent in
 * communication for the three DDP strategies (naive, bucketed, overlapped; Li et al., "PyTorch Distributed", VLDB
 * 2020, §3.2).
 *
 * <p>Workers are threads of this JVM ({@link ThreadCommunicator}), each with its own replica, Trainer and Arena; run
 * it with {@code OMP_NUM_THREADS=1} so that each worker's BLAS calls use one core. The single worker is the plain
 * {@link Trainer} (no data-parallel code at all), the 2 workers use {@link DataParallelTrainer} with buckets.
 * Scaling efficiency = throughput(2) / (2 × throughput(1)). The variants are alternated, round by round, and the
 * median round is kept, so that a busy machine slows all of them alike.
 *
 * <p>Two figures per model: the <b>wall-clock</b> speed-up (what a user sees; on a machine shared with other jobs it
 * is bounded by the cores actually free), and the <b>CPU-time</b> speed-up 4·P₁ / P₂: P₁ is the CPU seconds the whole
 * process spends on the single worker's run, P₂ on the two workers' run (every thread: compute, the copying of
 * messages, the overlapped strategy's communication threads, GC; waiting on a peer blocks and costs no CPU). CPU
 * seconds per example are P₁/b and P₂/(2b), so 4·P₁/P₂ is the speed-up the two workers would reach with a core each
 * to themselves: it measures the method's own overhead (communication, contention for memory bandwidth), not the
 * machine's load. The "CPU ms/st" column is P per step (both workers together for W = 2).
 *
 * <p>Two more rows: {@code bucketed, shm}, the bucketed strategy with {@link org.bigmodels.comm.SharedMemoryAllReduce}
 * (the workers read each other's buckets instead of exchanging copies), and {@code no sync}, two plain Trainers side
 * by side that never communicate: the ceiling of any synchronous strategy here, what sharing the cores, caches and
 * memory bandwidth costs by itself. {@code --batch} sets the MLP's examples per worker and step: the fixed cost of a
 * synchronisation (hand-offs, copies, waiting for the slower worker) weighs less against a longer step.
 *
 * <p>Run (after {@code mvn -o -q -pl lib package -DskipTests}, or with the kernel's classpath):
 * <pre>OMP_NUM_THREADS=1 java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "$(cat lib/target/classpath.txt):lib/target/classes" \
 *     org.bigmodels.bench.DataParallelBenchmark [--steps 60] [--rounds 5] [--model mlp|gpt|both] [--batch 256]</pre>
 * Not a unit test: its numbers depend on the machine's load.
 */
public final class DataParallelBenchmark {
    private DataParallelBenchmark() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** CPU seconds of this whole JVM so far (every thread: workers, communication threads, GC, JIT). */
    static double processCpu() {
        return OS.getProcessCpuTime() * 1e-9;
    }

    /** One model's job: how to build a replica, its optimizer, its loss and each rank's batches. */
    record Job<M extends Module>(String name, IntFunction<M> model, Function<M, Optimizer> optimizer,
                                 BiFunction<M, Batch, Tensor> loss, DataParallelTrainer.ShardSource source,
                                 int perWorkerBatch, long bucketBytes) {
    }

    /**
     * One timed run of {@code steps} steps: wall seconds, the process's CPU seconds, each worker thread's CPU seconds,
     * and the workers' events.
     */
    record Timing(double wallSeconds, double processCpuSeconds, double[] cpuSeconds, List<WorkerEvent> events) {
        double maxCpu() {
            return Arrays.stream(cpuSeconds).max().orElse(0);
        }
    }

    static Job<MLP> mlp() {
        return mlp(128);
    }

    /** LeNet-300-100 on MNIST with {@code batch} examples per worker and step. */
    static Job<MLP> mlp(int batch) {
        Split train = Mnist.train();
        INDArray x = train.features();
        INDArray y = train.labels();
        return new Job<>("LeNet-300-100 (MNIST, batch " + batch + "/worker)", r -> MLP.of(784, 300, 100, 10),
                m -> new SGD(m.parameters(), 0.05), (m, b) -> Ops.crossEntropy(m.forward(b.x()), b.y()),
                (rank, w) -> new DistributedSampler((int) x.size(0), w, rank, 42).stepSource(x, y, batch), batch,
                256L << 10);
    }

    static Job<GPT> gpt() {
        String text = TinyShakespeare.text();
        CharTokenizer tok = CharTokenizer.fit(text);
        TextBatches data = new TextBatches(tok.encode(text));
        GPTConfig config = GPTConfig.tiny(tok.vocabSize()).withNLayer(2).withNEmbd(64, 4).withBlockSize(32);
        return new Job<>("GPT 2x64 (Tiny Shakespeare, batch 16x32/worker)", r -> new GPT(config),
                m -> Adam.adamW(m.parameters(), 3e-3, 0.1), (m, b) -> m.loss(b.x(), b.y()),
                (rank, w) -> step -> data.batch(16, 32, new Random(1337L + (long) step * w + rank)), 16, 64L << 10);
    }

    /** {@code job} with buckets of {@code kb} kB, or unchanged for kb < 0. */
    static <M extends Module> Job<M> withBuckets(Job<M> job, long kb) {
        return kb < 0 ? job : new Job<>(job.name(), job.model(), job.optimizer(), job.loss(), job.source(),
                job.perWorkerBatch(), kb << 10);
    }

    static final TrainConfig CONFIG = TrainConfig.defaults().withProgress(false).withSeed(5);

    /**
     * Wraps a rank's batch source so that its first call (the first step's batch, after the replica, its optimizer,
     * its strategy and the broadcast of rank 0's weights are built) starts the clock: set-up is not timed, for one
     * worker or two alike. {@code marks[rank]} gets {wall ns, thread CPU ns} at that call.
     */
    static IntFunction<Batch> timed(IntFunction<Batch> src, long[][] marks, int rank, double[] processCpuAtStart) {
        return step -> {
            if (marks[rank] == null) {
                marks[rank] = new long[] {System.nanoTime(), THREADS.getCurrentThreadCpuTime()};
                synchronized (processCpuAtStart) {
                    if (Double.isNaN(processCpuAtStart[0])) processCpuAtStart[0] = processCpu();
                }
            }
            return src.apply(step);
        };
    }

    /** The single worker: the plain Trainer on rank 0's batches, on a thread of its own (as the workers are). */
    static <M extends Module> Timing single(Job<M> job, int steps) {
        return independent(job, 1, steps);
    }

    /**
     * W workers with {@code strategy}: wall time from the first worker's first batch to the last worker's end (set-up
     * and the initial broadcast excluded, as for one worker); process CPU over the same interval.
     */
    static <M extends Module> Timing parallel(Job<M> job, int w, int steps, DataParallelTrainer.Strategy strategy) {
        var dp = new DataParallelTrainer<>(job.model(), job.optimizer(), job.loss(), CONFIG, strategy);
        long[][] marks = new long[w][];
        double[] p0 = {Double.NaN};
        DataParallelTrainer.ShardSource source = (rank, world) -> timed(job.source().forRank(rank, world), marks,
                rank, p0);
        List<Object[]> r = ThreadCommunicator.run(w, 600_000, comm -> {
            var replica = dp.fitSteps(comm, steps, source);
            return finish(marks[comm.rank()], replica.events());
        });
        return combine(marks, r, p0[0]);
    }

    /**
     * W plain Trainers at once, each on its own shard and thread, with no communication at all: the ceiling of any
     * synchronous data-parallel strategy on this machine (what sharing the memory system, caches and cores costs).
     * For W = 1, the single worker.
     */
    static <M extends Module> Timing independent(Job<M> job, int w, int steps) {
        long[][] marks = new long[w][];
        double[] p0 = {Double.NaN};
        List<Object[]> r = ThreadCommunicator.run(w, 600_000, comm -> {
            M m = job.model().apply(comm.rank());
            Trainer t = new Trainer(m, job.optimizer().apply(m), CONFIG);
            IntFunction<Batch> src = timed(job.source().forRank(comm.rank(), w), marks, comm.rank(), p0);
            t.fitSteps(steps, src, b -> job.loss().apply(m, b), null);
            return finish(marks[comm.rank()], List.of());
        });
        return combine(marks, r, p0[0]);
    }

    /** A worker's result at its end: {end ns, its thread's CPU s since its mark, its events, the process's CPU s}. */
    private static Object[] finish(long[] mark, List<WorkerEvent> events) {
        long end = System.nanoTime();
        double cpu = (THREADS.getCurrentThreadCpuTime() - mark[1]) * 1e-9;
        return new Object[] {end, cpu, events, processCpu()};
    }

    /** The run's timing from each worker's {@link #finish} result: first mark to last end, process CPU since p0. */
    private static Timing combine(long[][] marks, List<Object[]> r, double p0) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        double pEnd = 0;
        double[] cpu = new double[marks.length];
        List<WorkerEvent> events = new ArrayList<>();
        for (int i = 0; i < marks.length; i++) {
            start = Math.min(start, marks[i][0]);
            end = Math.max(end, (Long) r.get(i)[0]);
            cpu[i] = (Double) r.get(i)[1];
            pEnd = Math.max(pEnd, (Double) r.get(i)[3]);
            @SuppressWarnings("unchecked")
            List<WorkerEvent> ev = (List<WorkerEvent>) r.get(i)[2];
            events.addAll(ev);
        }
        return new Timing((end - start) * 1e-9, pEnd - p0, cpu, events);
    }

    /**
     * Communication share of a step from the recorded events: exposed = the time workers spent in communication on
     * their own thread (naive, bucketed) or waiting for it (overlapped); total = all all-reduce intervals, hidden or
     * not. Both as fractions of the wall time per worker.
     */
    static double[] commShares(Timing t, int w) {
        double exposed = 0;
        double total = 0;
        boolean overlapped = t.events().stream().anyMatch(e -> e.lane().equals(WorkerEvent.WAIT));
        for (WorkerEvent e : t.events()) {
            if (e.lane().equals(WorkerEvent.COMMUNICATION)) {
                total += e.millis() / 1e3;
                if (!overlapped) exposed += e.millis() / 1e3;
            } else if (e.lane().equals(WorkerEvent.WAIT)) {
                exposed += e.millis() / 1e3;
            }
        }
        return new double[] {exposed / w / t.wallSeconds(), total / w / t.wallSeconds()};
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** "median (min..max)" of {@code v} with {@code f} applied, e.g. "1.72x (1.61..1.80)". */
    static String range(List<Double> v, String fmt) {
        double lo = v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double hi = v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, fmt + " (" + fmt + ".." + fmt + ")", median(v), lo, hi);
    }

    /** Label of the ceiling row: two plain Trainers side by side, no communication. */
    static final String NO_SYNC = "no sync";

    /** Two workers: the strategy's run, or for {@link #NO_SYNC} two independent Trainers. */
    static <M extends Module> Timing run2(Job<M> job, int steps, String name, DataParallelTrainer.Strategy strategy) {
        return name.equals(NO_SYNC) ? independent(job, 2, steps) : parallel(job, 2, steps, strategy);
    }

    static <M extends Module> void bench(Job<M> job, int steps, int rounds, int warmup, String only) {
        System.out.printf(Locale.ROOT, "%n## %s, weak scaling (global batch = W x %d), %d steps per run after %d "
                + "warm-up steps per variant, %d rounds, buckets of %d kB%n", job.name(), job.perWorkerBatch(), steps,
                warmup, rounds, job.bucketBytes() >> 10);
        var strategies = new java.util.LinkedHashMap<String, DataParallelTrainer.Strategy>();
        strategies.put("naive", DataParallelTrainer.naive());
        strategies.put("bucketed", DataParallelTrainer.bucketed(job.bucketBytes()));
        strategies.put("overlapped", DataParallelTrainer.overlapped(job.bucketBytes()));
        strategies.put("bucketed, shm", DataParallelTrainer.bucketed(job.bucketBytes(),
                new org.bigmodels.comm.SharedMemoryAllReduce()));
        strategies.put(NO_SYNC, null);   // the ceiling: two plain Trainers that never communicate
        if (only != null) {   // one variant alone, e.g. under a profiler
            Timing t = only.equals("single") ? single(job, steps) : run2(job, steps, only, strategies.get(only.equals("shm") ? "bucketed, shm" : only));
            System.out.printf(Locale.ROOT, "%s: %.2f ms/step wall, %.2f ms/step process CPU%n", only,
                    t.wallSeconds() / steps * 1e3, t.processCpuSeconds() / steps * 1e3);
            return;
        }
        // warm-up (JIT, arenas, data, thread pools): every variant, not timed
        single(job, warmup);
        for (var s : strategies.entrySet()) run2(job, warmup, s.getKey(), s.getValue());

        List<Double> wall1 = new ArrayList<>();
        List<Double> cpu1 = new ArrayList<>();
        var wallUp = new java.util.LinkedHashMap<String, List<Double>>();
        var cpuUp = new java.util.LinkedHashMap<String, List<Double>>();
        var cpu2 = new java.util.LinkedHashMap<String, List<Double>>();
        var wall2 = new java.util.LinkedHashMap<String, List<Double>>();
        var exposed = new java.util.LinkedHashMap<String, List<Double>>();
        var total = new java.util.LinkedHashMap<String, List<Double>>();
        for (String k : strategies.keySet()) {
            for (var m : List.of(wallUp, cpuUp, cpu2, wall2, exposed, total)) m.put(k, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            Timing one = single(job, steps);
            wall1.add(one.wallSeconds() / steps * 1e3);
            cpu1.add(one.processCpuSeconds() / steps * 1e3);
            for (var s : strategies.entrySet()) {
                Timing two = run2(job, steps, s.getKey(), s.getValue());
                String k = s.getKey();
                // speed-ups within the round (the machine's load is closest there): 2 x time(1) / time(2)
                wallUp.get(k).add(2 * one.wallSeconds() / two.wallSeconds());
                cpuUp.get(k).add(4 * one.processCpuSeconds() / two.processCpuSeconds());
                wall2.get(k).add(two.wallSeconds() / steps * 1e3);
                cpu2.get(k).add(two.processCpuSeconds() / steps * 1e3);
                double[] sh = commShares(two, 2);
                exposed.get(k).add(100 * sh[0]);
                total.get(k).add(100 * sh[1]);
            }
            System.out.printf(Locale.ROOT, "  round %d done, load average %.1f%n", round + 1,
                    OS.getSystemLoadAverage());
        }
        System.out.printf(Locale.ROOT, "%-18s %-22s %-22s | %-22s %-22s | %-20s %-20s%n", "workers/strategy",
                "wall ms/step", "wall speed-up", "CPU ms/step", "CPU speed-up", "comm exposed %", "comm all %");
        System.out.printf(Locale.ROOT, "%-18s %-22s %-22s | %-22s %-22s | %-20s %-20s%n", "1 (plain Trainer)",
                range(wall1, "%.2f"), "1", range(cpu1, "%.2f"), "1", "-", "-");
        for (String k : strategies.keySet()) {
            System.out.printf(Locale.ROOT, "%-18s %-22s %-22s | %-22s %-22s | %-20s %-20s%n", "2, " + k,
                    range(wall2.get(k), "%.2f"), range(wallUp.get(k), "%.2fx"), range(cpu2.get(k), "%.2f"),
                    range(cpuUp.get(k), "%.2fx"), range(exposed.get(k), "%.1f"), range(total.get(k), "%.1f"));
        }
    }

    static final String USAGE = "[--steps N (200)] [--rounds R (3)] [--warmup N (30)] [--model mlp|gpt|both] "
            + "[--only single|naive|bucketed|overlapped|shm (one variant alone, for a profiler)] "
            + "[--bucket-kb K (MLP 256, GPT 64: several buckets, to see overlap)] "
            + "[--batch B (the MLP's examples per worker and step, 128)]";

    /** Entry point: {@link #USAGE}. */
    public static void main(String[] args) {
        int steps = 200;
        int rounds = 3;
        int warmup = 30;
        String which = "both";
        String only = null;
        long bucketKb = -1;
        int mlpBatch = 128;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--model" -> which = args[++i];
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--bucket-kb" -> bucketKb = Long.parseLong(args[++i]);
                case "--batch" -> mlpBatch = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("DataParallelBenchmark: unknown option " + args[i]
                        + "; expected " + USAGE);
            }
        }
        if (steps < 1 || mlpBatch < 1 || rounds < 1 || warmup < 1 || !List.of("mlp", "gpt", "both").contains(which)
                || (only != null && !List.of("single", "naive", "bucketed", "overlapped", "shm").contains(only))) {
            throw new IllegalArgumentException("DataParallelBenchmark: expected --steps >= 1, --rounds >= 1, "
                    + "--warmup >= 1, --batch >= 1, --model mlp|gpt|both, --only single|naive|bucketed|overlapped|shm; got " + steps
                    + ", " + rounds + ", " + warmup + ", " + which + ", " + only);
        }
        // one BLAS/OpenMP thread per worker: the variable (read when the native library loads) and the pools
        LeNetBenchmark.setThreads(1);
        System.out.println("# data-parallel scaling, 2 worker threads vs 1, 1 BLAS/OpenMP thread per worker "
                + "(OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + "); "
                + Runtime.getRuntime().availableProcessors() + " cores visible, load average "
                + String.format(Locale.ROOT, "%.1f", OS.getSystemLoadAverage()) + "; BLAS: " + NativeBlas.describe());
        System.out.println("# weak scaling: each worker keeps its own full batch, so the global batch of 2 workers is "
                + "twice one worker's (how data-parallel throughput is reported); time from the first batch, set-up "
                + "and warm-up excluded");
        System.out.println("# speed-up = throughput(2)/throughput(1) = 2 t(1)/t(2) within a round, median (min..max) "
                + "over the rounds; efficiency = speed-up/2; wall clock on the left, process CPU time on the right: "
                + "4 P(1)/P(2), the speed-up with a free core per worker, steadier on a busy machine");
        System.out.println("# comm exp = share of the step a worker spends communicating or waiting for it (exposed), "
                + "comm all = share of all all-reduce time, hidden or not");
        if (!which.equals("gpt")) bench(withBuckets(mlp(mlpBatch), bucketKb), steps, rounds, warmup, only);
        if (!which.equals("mlp")) bench(withBuckets(gpt(), bucketKb), steps, rounds, warmup, only);
    }
}
