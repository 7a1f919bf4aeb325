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
 * <p>Run (after {@code mvn -o -q -pl lib package -DskipTests}, or with the kernel's classpath):
 * <pre>OMP_NUM_THREADS=1 java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "$(cat lib/target/classpath.txt):lib/target/classes" \
 *     org.bigmodels.bench.DataParallelBenchmark [--steps 60] [--rounds 5] [--model mlp|gpt|both]</pre>
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
        Split train = Mnist.train();
        INDArray x = train.features();
        INDArray y = train.labels();
        return new Job<>("LeNet-300-100 (MNIST, batch 128/worker)", r -> MLP.of(784, 300, 100, 10),
                m -> new SGD(m.parameters(), 0.05), (m, b) -> Ops.crossEntropy(m.forward(b.x()), b.y()),
                (rank, w) -> new DistributedSampler((int) x.size(0), w, rank, 42).stepSource(x, y, 128), 128,
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

    static final TrainConfig CONFIG = TrainConfig.defaults().withProgress(false).withSeed(5);

    /** The single worker: the plain Trainer on rank 0's batches, on a thread of its own (as the workers are). */
    static <M extends Module> Timing single(Job<M> job, int steps) {
        double p0 = processCpu();
        List<double[]> r = ThreadCommunicator.run(1, 600_000, comm -> {
            M m = job.model().apply(0);
            Trainer t = new Trainer(m, job.optimizer().apply(m), CONFIG);
            IntFunction<Batch> src = job.source().forRank(0, 1);
            long w0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            t.fitSteps(steps, src, b -> job.loss().apply(m, b), null);
            return new double[] {(System.nanoTime() - w0) * 1e-9, (THREADS.getCurrentThreadCpuTime() - c0) * 1e-9};
        });
        return new Timing(r.get(0)[0], processCpu() - p0, new double[] {r.get(0)[1]}, List.of());
    }

    /** W workers with {@code strategy}; wall time = the slowest worker's, from the common start. */
    static <M extends Module> Timing parallel(Job<M> job, int w, int steps, DataParallelTrainer.Strategy strategy) {
        var dp = new DataParallelTrainer<>(job.model(), job.optimizer(), job.loss(), CONFIG, strategy);
        double p0 = processCpu();
        List<Object[]> r = ThreadCommunicator.run(w, 600_000, comm -> {
            comm.barrier();
            long w0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            var replica = dp.fitSteps(comm, steps, job.source());
            double cpu = (THREADS.getCurrentThreadCpuTime() - c0) * 1e-9;
            return new Object[] {w0, System.nanoTime(), cpu, replica.events()};
        });
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        double[] cpu = new double[w];
        List<WorkerEvent> events = new ArrayList<>();
        for (int i = 0; i < w; i++) {
            start = Math.min(start, (Long) r.get(i)[0]);
            end = Math.max(end, (Long) r.get(i)[1]);
            cpu[i] = (Double) r.get(i)[2];
            @SuppressWarnings("unchecked")
            List<WorkerEvent> ev = (List<WorkerEvent>) r.get(i)[3];
            events.addAll(ev);
        }
        return new Timing((end - start) * 1e-9, processCpu() - p0, cpu, events);
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

    static <M extends Module> void bench(Job<M> job, int steps, int rounds) {
        System.out.printf(Locale.ROOT, "%n## %s, %d steps per run, %d rounds (median), buckets of %d kB%n", job.name(),
                steps, rounds, job.bucketBytes() >> 10);
        var strategies = new java.util.LinkedHashMap<String, DataParallelTrainer.Strategy>();
        strategies.put("naive", DataParallelTrainer.naive());
        strategies.put("bucketed", DataParallelTrainer.bucketed(job.bucketBytes()));
        strategies.put("overlapped", DataParallelTrainer.overlapped(job.bucketBytes()));
        // warm-up (JIT, arenas, data): a few steps of each variant, not timed
        single(job, 5);
        for (var s : strategies.values()) parallel(job, 2, 5, s);

        List<Double> wall1 = new ArrayList<>();
        List<Double> cpu1 = new ArrayList<>();
        var wall2 = new java.util.LinkedHashMap<String, List<Double>>();
        var cpu2 = new java.util.LinkedHashMap<String, List<Double>>();
        var exposed = new java.util.LinkedHashMap<String, List<Double>>();
        var total = new java.util.LinkedHashMap<String, List<Double>>();
        for (String k : strategies.keySet()) {
            wall2.put(k, new ArrayList<>());
            cpu2.put(k, new ArrayList<>());
            exposed.put(k, new ArrayList<>());
            total.put(k, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            Timing one = single(job, steps);
            wall1.add(one.wallSeconds());
            cpu1.add(one.processCpuSeconds());
            for (var s : strategies.entrySet()) {
                Timing two = parallel(job, 2, steps, s.getValue());
                wall2.get(s.getKey()).add(two.wallSeconds());
                cpu2.get(s.getKey()).add(two.processCpuSeconds());
                double[] sh = commShares(two, 2);
                exposed.get(s.getKey()).add(sh[0]);
                total.get(s.getKey()).add(sh[1]);
            }
            System.out.printf(Locale.ROOT, "  round %d done%n", round + 1);
        }
        double b = job.perWorkerBatch();
        double t1 = median(wall1);
        double c1 = median(cpu1);
        System.out.printf(Locale.ROOT, "%-22s %10s %10s %9s %8s | %10s %9s %8s | %9s %9s%n", "workers / strategy",
                "step ms", "ex/s", "speed-up", "effic.", "CPU ms/st", "speed-up", "effic.", "comm exp", "comm all");
        System.out.printf(Locale.ROOT, "%-22s %10.2f %10.1f %9s %8s | %10.2f %9s %8s | %9s %9s%n", "1 (plain Trainer)",
                t1 / steps * 1e3, b * steps / t1, "1.00x", "100%", c1 / steps * 1e3, "1.00x", "100%", "-", "-");
        for (String k : strategies.keySet()) {
            double t2 = median(wall2.get(k));
            double c2 = median(cpu2.get(k));
            double speed = (2 * b * steps / t2) / (b * steps / t1);
            double cpuSpeed = 4 * c1 / c2;   // CPU s per example: c1/b alone, c2/(2b) for the pair
            System.out.printf(Locale.ROOT, "%-22s %10.2f %10.1f %8.2fx %7.0f%% | %10.2f %8.2fx %7.0f%% | %8.1f%% %8.1f%%%n",
                    "2, " + k, t2 / steps * 1e3, 2 * b * steps / t2, speed, 50 * speed, c2 / steps * 1e3, cpuSpeed,
                    50 * cpuSpeed, 100 * median(exposed.get(k)), 100 * median(total.get(k)));
        }
    }

    /** Entry point: {@code [--steps N] [--rounds R] [--model mlp|gpt|both]}. */
    public static void main(String[] args) {
        int steps = 60;
        int rounds = 5;
        String which = "both";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--model" -> which = args[++i];
                default -> throw new IllegalArgumentException("DataParallelBenchmark: unknown option " + args[i]
                        + "; expected --steps N, --rounds R, --model mlp|gpt|both");
            }
        }
        if (steps < 1 || rounds < 1 || !List.of("mlp", "gpt", "both").contains(which)) {
            throw new IllegalArgumentException("DataParallelBenchmark: expected --steps >= 1, --rounds >= 1, --model "
                    + "mlp|gpt|both; got " + steps + ", " + rounds + ", " + which);
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        System.out.println("# data-parallel scaling, 2 worker threads vs 1; OMP_NUM_THREADS=" + omp + ", "
                + Runtime.getRuntime().availableProcessors() + " cores visible");
        if (!"1".equals(omp)) {
            System.out.println("note: run with OMP_NUM_THREADS=1 so that each worker's BLAS uses one core");
        }
        System.out.println("# speed-up = throughput(2)/throughput(1), efficiency = speed-up/2; wall clock on the left, "
                + "process CPU time (the speed-up with a free core per worker) on the right;");
        System.out.println("# comm exp = share of the step a worker spends communicating or waiting for it (exposed), "
                + "comm all = share of all all-reduce time, hidden or not");
        if (!which.equals("gpt")) bench(mlp(), steps, rounds);
        if (!which.equals("mlp")) bench(gpt(), steps, rounds);
    }
}
