package org.bigmodels.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigmodels.data.Datasets;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.OneHot;
import org.bigmodels.data.Split;
import org.bigmodels.dl4j.Dl4jBridge;
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Gemm;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Flops;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Batches;
import org.bigmodels.train.Metrics;
import org.bigmodels.train.PhaseTimer;
import org.bigmodels.train.Stats;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * One epoch of LeNet-300-100 (784-300-100-10, ReLU, float32, batch 128, plain SGD) on full MNIST, trained by the
 * course engine, by DL4J's MultiLayerNetwork and by PyTorch on the CPU, and how close each gets to the machine's
 * matrix-multiply peak. Measured in 03-mlp-mnist; the launcher runs it as {@code ./course bench}.
 *
 * <p>Fair by construction: all three do the same work per batch (forward, mean cross-entropy, backward, SGD step)
 * on batches made before timing, with the same thread count; the engine and DL4J start from the same weights
 * (copied with {@link Dl4jBridge}). The three alternate epoch by epoch (engine, DL4J, PyTorch, engine, ...), so a
 * busy machine slows all of them alike, and one warm-up epoch each (JIT, allocator, caches) is not counted. The
 * table gives the median over the rounds, ratios to PyTorch and to DL4J (more than 1 = slower), and GFLOP/s
 * against sgemm measured in the same run: the ratio to the peak says how much of the time is not matrix products.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -q -o -f lib/pom.xml compile exec:java
 * -Dexec.mainClass=org.bigmodels.bench.LeNetBenchmark -Dexec.args="--rounds 3 --threads 1"}; {@code --help} lists
 * the options.
 */
public final class LeNetBenchmark {
    static final long[] SIZES = {784, 300, 100, 10};

    private LeNetBenchmark() {}

    /**
     * FLOPs of one training step per example: forward, weight gradients, input gradients of layers 2 and 3
     * ({@link Flops#trainingStep(MLP, long)}).
     */
    static double flopsPerExample() {
        return Flops.trainingStep(MLP.of(SIZES), 1);
    }

    record Options(int rounds, int threads, int batch, double lr, int limit, boolean torch, String python,
                   boolean profile) {
        String args() {
            return "--rounds " + rounds + " --threads " + threads + (batch != 128 ? " --batch " + batch : "")
                    + (lr != 0.05 ? " --lr " + lr : "") + (limit != 60000 ? " --limit " + limit : "")
                    + (torch ? "" : " --no-torch") + (profile ? "" : " --no-profile");
        }
    }

    static Options parse(String[] args) {
        int rounds = 3, threads = 1, batch = 128, limit = 60000;
        double lr = 0.05;
        boolean torch = true, profile = true;
        String python = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, a));
                case "--batch" -> batch = Integer.parseInt(value(args, ++i, a));
                case "--lr" -> lr = Double.parseDouble(value(args, ++i, a));
                case "--limit" -> limit = Integer.parseInt(value(args, ++i, a));
                case "--python" -> python = value(args, ++i, a);
                case "--no-torch" -> torch = false;
                case "--no-profile" -> profile = false;
                case "--help", "-h" -> {
                    System.out.println("""
                            LeNet-300-100, one epoch of MNIST: course engine vs DL4J vs PyTorch (CPU).
                              --rounds N     timed epochs per framework after one warm-up (default 3)
                              --threads N    BLAS/OpenMP/torch threads (default 1); launch with OMP_NUM_THREADS=N too
                              --batch N      minibatch size (default 128)
                              --lr X         SGD learning rate (default 0.05)
                              --limit N      training examples used (default 60000; smaller for a smoke test)
                              --python PATH  the Python with PyTorch (default /usr/bin/python3, else python3)
                              --no-torch     skip PyTorch
                              --no-profile   skip the engine's forward/backward/step breakdown""");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("LeNetBenchmark: unknown option '" + a + "'; see --help");
            }
        }
        if (rounds < 1 || threads < 1 || batch < 1 || limit < batch || !(lr > 0)) {
            throw new IllegalArgumentException("LeNetBenchmark: expected rounds >= 1, threads >= 1, batch >= 1, "
                    + "limit >= batch, lr > 0; got " + Arrays.toString(args));
        }
        return new Options(rounds, threads, batch, lr, limit, torch, python, profile);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("LeNetBenchmark: " + option + " needs a value");
        return args[i];
    }

    /**
     * Runs the benchmark: one warm-up epoch and {@code --rounds} timed epochs per framework, alternating, then prints
     * the s/epoch table (median, min..max, ratios to PyTorch and DL4J, GFLOP/s, % of the sgemm peak, test accuracy)
     * and, unless {@code --no-profile}, one more engine epoch split into forward+loss, backward and SGD step.
     * Reads MNIST from the datasets folder ({@link Mnist}). {@code --help} prints the options and exits.
     *
     * @param args {@code --rounds N} ({@code N >= 1}), {@code --threads N} ({@code N >= 1}), {@code --batch N}
     *     ({@code N >= 1}), {@code --lr X} ({@code X > 0}), {@code --limit N} (examples, {@code N >= batch}; not checked
     *     against the 60,000 MNIST has: a larger N fails in ND4J's indexing),
     *     {@code --python PATH}, {@code --no-torch}, {@code --no-profile}
     * @throws IllegalArgumentException for an unknown option, an option without its value, or a value out of the
     *     ranges above ({@link NumberFormatException} for a number that does not parse)
     * @throws org.bigmodels.data.DatasetException when MNIST is missing or damaged
     * @throws IOException when the PyTorch process ends mid-run
     */
    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        setThreads(o.threads);
        Split train = Mnist.train(), test = Mnist.test();
        INDArray x = train.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, o.limit)).dup('c');
        INDArray y = train.labels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, o.limit)).dup();
        List<Batch> batches = Batches.epoch(x, y, o.batch, 42, 0);
        List<DataSet> dataSets = new ArrayList<>();
        for (Batch b : batches) dataSets.add(new DataSet(b.x(), OneHot.encode(b.y(), 10)));
        double flopsPerEpoch = flopsPerExample() * o.limit;

        System.out.printf(Locale.ROOT, "LeNet-300-100, float32, batch %d, SGD lr %s, %d examples (%d batches), "
                        + "%d thread(s), %d timed round(s) after 1 warm-up%n", o.batch, o.lr, o.limit, batches.size(),
                o.threads, o.rounds);
        System.out.printf(Locale.ROOT, "%.1f MFLOP per example, %.2f GFLOP per epoch; engine matmuls: %s; BLAS: %s%n",
                flopsPerExample() / 1e6, flopsPerEpoch / 1e9, Gemm.direct() ? "direct OpenBLAS" : "Nd4j.gemm",
                NativeBlas.describe());

        double[] peak = gemmPeak(o.batch);
        System.out.printf(Locale.ROOT, "sgemm %dx784 * 784x300: Gemm.mm into a preallocated result %.1f GFLOP/s, "
                + "Nd4j.gemm allocating %.1f GFLOP/s%n", o.batch, peak[0], peak[1]);

        MLP mlp = MLP.of(SIZES);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(MLP.of(SIZES), new Sgd(o.lr)); // same seed, same weights
        SGD sgd = new SGD(mlp.parameters(), o.lr);
        Arena arena = new Arena();
        TorchProcess torch = o.torch ? TorchProcess.start(o) : null;

        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        seconds.put("engine", new ArrayList<>());
        seconds.put("DL4J", new ArrayList<>());
        if (torch != null) seconds.put("PyTorch", new ArrayList<>());
        List<Double> cpuRatios = new ArrayList<>(), wallRatios = new ArrayList<>();
        for (int round = 0; round <= o.rounds; round++) {
            boolean warmup = round == 0;
            Stopwatch clock = Stopwatch.start();
            engineEpoch(mlp, sgd, batches, arena);
            Stopwatch.Reading r = clock.stop();
            double e = r.wall();
            double d = dl4jEpoch(net, dataSets);
            double t = torch != null ? torch.epoch() : Double.NaN;
            System.out.printf(Locale.ROOT, "%s: engine %.2f s (CPU %.2f), DL4J %.2f s%s%n",
                    warmup ? "warm-up" : "round " + round, e, r.threadCpu(), d, torch != null
                            ? String.format(Locale.ROOT, ", PyTorch %.2f s (CPU %.2f); engine / PyTorch %.2f (CPU %.2f)",
                            t, torch.lastCpuSeconds, e / t, r.threadCpu() / torch.lastCpuSeconds) : "");
            System.out.println("  engine: " + r.describe(batches.size(), "step"));
            if (!warmup && torch != null) {
                wallRatios.add(e / t);
                cpuRatios.add(r.threadCpu() / torch.lastCpuSeconds);
            }
            if (!warmup) {
                seconds.get("engine").add(e);
                seconds.get("DL4J").add(d);
                if (torch != null) seconds.get("PyTorch").add(t);
            }
        }

        Map<String, Double> accuracy = new LinkedHashMap<>();
        accuracy.put("engine", Metrics.accuracy(mlp.predict(test.features()), test.labelArray()));
        accuracy.put("DL4J", Metrics.accuracy(net.output(test.features()), test.labelArray()));
        if (torch != null) {
            accuracy.put("PyTorch", torch.testAccuracy());
            torch.close();
        }

        double torchMedian = torch != null ? Stats.median(seconds.get("PyTorch")) : Double.NaN;
        double dl4jMedian = Stats.median(seconds.get("DL4J"));
        System.out.println();
        System.out.printf(Locale.ROOT, "%-8s %8s %12s %10s %9s %8s %8s %10s%n", "", "s/epoch", "(min..max)",
                "vs PyTorch", "vs DL4J", "GFLOP/s", "% peak", "test acc");
        for (var e : seconds.entrySet()) {
            double med = Stats.median(e.getValue());
            double gflops = flopsPerEpoch / med / 1e9;
            System.out.printf(Locale.ROOT, "%-8s %8.2f %12s %10s %9.2f %8.1f %7.0f%% %9.2f%%%n", e.getKey(), med,
                    String.format(Locale.ROOT, "%.2f..%.2f", Stats.min(e.getValue()), Stats.max(e.getValue())),
                    torch != null ? String.format(Locale.ROOT, "%.2f", med / torchMedian) : "-", med / dl4jMedian, gflops,
                    100 * gflops / peak[0], 100 * accuracy.get(e.getKey()));
        }
        for (var ratios : List.of(wallRatios, cpuRatios)) {
            if (ratios.isEmpty()) break;
            System.out.printf(Locale.ROOT, "engine / PyTorch per round, %s: %s (min..max %.2f..%.2f, median %.2f)%n",
                    ratios == cpuRatios ? "CPU time of the training thread" : "wall time",
                    ratios.stream().map(q -> String.format(Locale.ROOT, "%.2f", q)).toList(), Stats.min(ratios),
                    Stats.max(ratios), Stats.median(ratios));
        }
        System.out.printf(Locale.ROOT, "(median of %d epochs; test accuracy after %d epochs; %% peak = of Gemm.mm's "
                + "%.1f GFLOP/s measured above)%n", o.rounds, o.rounds + 1, peak[0]);

        if (o.profile) {
            PhaseTimer phases = engineEpochByPhase(mlp, sgd, batches, arena);
            List<String> p = PhaseTimer.TRAINING_PHASES;
            System.out.printf(Locale.ROOT, "%nengine, one more epoch timed by phase: forward+loss %.2f s (%.0f%%), "
                            + "backward %.2f s (%.0f%%), SGD step %.2f s (%.0f%%)%n",
                    phases.seconds(p.get(0)), 100 * phases.share(p.get(0)), phases.seconds(p.get(1)),
                    100 * phases.share(p.get(1)), phases.seconds(p.get(2)), 100 * phases.share(p.get(2)));
        }
        System.out.println();
        System.out.println("Reproduce: COURSE_THREADS=" + o.threads + " ./course bench " + o.args().replaceFirst(" ?--threads \\d+", ""));
        System.out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " logical CPUs, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version") + "; a busy machine slows every column alike, not the ratios.");
    }

    // =================================================================== the three trainers

    /**
     * One epoch with the course engine: the same four steps as {@code Trainer}, in an {@link Arena} as there (each
     * step reuses the previous step's arrays), without its logging and progress bar.
     */
    static double engineEpoch(MLP mlp, SGD sgd, List<Batch> batches, Arena arena) {
        long t0 = System.nanoTime();
        for (Batch b : batches) {
            try (Arena scope = arena.open()) {
                sgd.zeroGrad();
                Tensor loss = Ops.crossEntropy(mlp.forward(b.x()), b.y());
                loss.backward();
                sgd.step();
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The same epoch, with the clock read between phases ({@link PhaseTimer#training()}). */
    static PhaseTimer engineEpochByPhase(MLP mlp, SGD sgd, List<Batch> batches, Arena arena) {
        PhaseTimer timer = PhaseTimer.training();
        for (Batch b : batches) {
            try (Arena scope = arena.open()) {
                timer.startStep();
                sgd.zeroGrad();
                Tensor loss = Ops.crossEntropy(mlp.forward(b.x()), b.y());
                timer.endPhase();
                loss.backward();
                timer.endPhase();
                sgd.step();
                timer.endPhase();
            }
        }
        return timer;
    }

    /** One epoch with DL4J: {@code fit} on each premade minibatch (forward, loss, backward, SGD update). */
    static double dl4jEpoch(MultiLayerNetwork net, List<DataSet> dataSets) {
        long t0 = System.nanoTime();
        for (DataSet d : dataSets) net.fit(d);
        return (System.nanoTime() - t0) / 1e9;
    }

    // =================================================================== the peak

    /**
     * sgemm GFLOP/s for the first layer's product ([batch,784]·[784,300]): {Gemm.mm into a preallocated result,
     * Nd4j.gemm allocating its result}. Each is repeated for about half a second after a warm-up; best of 3.
     */
    static double[] gemmPeak(int batch) {
        INDArray a = Nd4j.rand(DataType.FLOAT, batch, 784), b = Nd4j.rand(DataType.FLOAT, 784, 300);
        INDArray c = Nd4j.create(DataType.FLOAT, batch, 300);
        double flops = 2.0 * batch * 784 * 300;
        double direct = 0, allocating = 0;
        for (int rep = 0; rep < 3; rep++) {
            direct = Math.max(direct, rate(() -> Gemm.mm(a, false, b, false, c, 1.0, 0.0), flops));
            allocating = Math.max(allocating, rate(() -> Nd4j.gemm(a, b, false, false), flops));
        }
        return new double[] {direct, allocating};
    }

    private static double rate(Runnable r, double flops) {
        for (int i = 0; i < 20; i++) r.run();
        long n = 0, t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 150_000_000L) {
            for (int i = 0; i < 10; i++) r.run();
            n += 10;
        }
        return flops * n / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    // =================================================================== PyTorch, as a subprocess

    /** tools/bench/lenet_torch.py in --serve mode: one process, one JSON line per command. */
    static final class TorchProcess implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final BufferedReader out;

        private TorchProcess(Process p) {
            this.process = p;
            this.in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Starts the script, or returns null (saying why) when there is no Python with PyTorch. */
        static TorchProcess start(Options o) throws IOException {
            Path script = findScript();
            if (script == null) {
                System.out.println("PyTorch skipped: tools/bench/lenet_torch.py not found above " + Paths.get("").toAbsolutePath());
                return null;
            }
            String python = o.python != null ? o.python : Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--serve", "--threads",
                    Integer.toString(o.threads), "--batch", Integer.toString(o.batch), "--lr", Double.toString(o.lr),
                    "--limit", Integer.toString(o.limit), "--data", Datasets.root().resolve("mnist").toString());
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(o.threads));
            pb.environment().put("MKL_NUM_THREADS", Integer.toString(o.threads));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                System.out.println("PyTorch skipped: could not run " + python + " (" + e.getMessage() + ")");
                return null;
            }
            TorchProcess t = new TorchProcess(p);
            String ready = t.out.readLine();
            if (ready == null || !ready.contains("\"ready\"")) {
                System.out.println(ready != null && ready.contains("not installed")
                        ? "PyTorch not installed: apt-get install python3-torch (continuing without it)"
                        : "PyTorch skipped: the script said " + ready);
                p.destroy();
                return null;
            }
            System.out.println("PyTorch: " + ready);
            return t;
        }

        private static Path findScript() {
            for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path s = dir.resolve("tools/bench/lenet_torch.py");
                if (Files.isRegularFile(s)) return s;
            }
            return null;
        }

        /** The CPU time of PyTorch's training thread in the last {@link #epoch()}. */
        double lastCpuSeconds;

        double epoch() throws IOException {
            String json = ask("epoch");
            lastCpuSeconds = number(json, "cpu_seconds");
            return number(json, "seconds");
        }

        double testAccuracy() throws IOException {
            return number(ask("eval"), "test_accuracy");
        }

        private String ask(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null) throw new IOException("the PyTorch process ended" + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")"));
            return line;
        }

        private static double number(String json, String key) {
            Matcher m = Pattern.compile("\"" + key + "\":\\s*([-0-9.eE+]+)").matcher(json);
            if (!m.find()) throw new IllegalStateException("PyTorch answered " + json + ", expected a \"" + key + "\"");
            return Double.parseDouble(m.group(1));
        }

        @Override
        public void close() throws IOException {
            try {
                in.write("quit\n");
                in.flush();
            } catch (IOException ignored) {
                // already gone
            }
            process.destroy();
        }
    }

    // =================================================================== helpers

    /** Sizes ND4J's OpenMP pool, its BLAS and the OpenBLAS that Gemm calls to {@code n} threads. */
    static void setThreads(int n) {
        String env = System.getenv("OMP_NUM_THREADS");
        if (env == null || !env.equals(Integer.toString(n))) {
            System.out.println("note: OMP_NUM_THREADS is " + env + "; for --threads " + n + " launch with "
                    + "OMP_NUM_THREADS=" + n + " (the thread pools are also resized below, but the variable is surer)");
        }
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
        try {
            org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(n);
        } catch (Throwable ignored) {
            // not the CPU backend: Gemm goes through Nd4j.gemm
        }
    }
}
