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
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Gemm;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.ModelMath;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.GradClip;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Checkpoint;
import org.bigmodels.train.History;
import org.bigmodels.train.PhaseTimer;
import org.bigmodels.train.Stats;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training step of the course's GPT (04-tiny-gpt), by the course engine through its {@link Trainer} and by a
 * PyTorch twin ({@code tools/bench/gpt_torch.py}) that starts from the engine's own initial weights, read from a
 * checkpoint: so the first losses must agree (checked and printed), and both then train on the same batches of random
 * tokens with AdamW (betas 0.9, 0.99, weight decay 0.1 on matrices) and clipping at global norm 1. Run by
 * {@code ./course bench} after the LeNet table.
 *
 * <p>As in {@link LeNetBenchmark}: the two alternate round by round (a busy machine slows both alike), the warm-up
 * rounds ({@code --warmup}, 3 by default, the same steps for both: the JIT is still compiling the engine's loops
 * after one round of 30 steps) are not counted, the table gives the median s/step with min..max, the ratio to PyTorch, and GFLOP/s against
 * sgemm measured in the same run. Below the table: the time split by phase (clock reads between phases) and by op
 * family (stack sampling, {@link OpFamilySampler}; for PyTorch its profiler's self time per aten op), and the memory
 * of a step against the analytic count ({@link #analyticBytes}).
 *
 * <p>DL4J is not in this table: its layer set (1.0.0-M2.1) has self-attention but no causal mask with a pre-norm
 * residual block and a tanh-GELU MLP; a SameDiff graph could express it, but that is a second engine to maintain,
 * not a baseline.
 */
public final class GptBenchmark {
    static final int VOCAB = 65;

    /** A benchmarked size: the GPT's shape and the batch. */
    record Shape(String name, int layers, int width, int heads, int context, int batch) {
        GPTConfig config() {
            return new GPTConfig(VOCAB, context, layers, heads, width, 0.0, DataType.FLOAT, 1337);
        }

        /** FLOPs of one training step: 6N + attention's products per token ({@link ModelMath}), times B·T tokens. */
        double flopsPerStep() {
            return ModelMath.of(config()).trainingFlopsPerTokenWithAttention() * batch * context;
        }
    }

    /** The size (4 layers of 128, 4 heads, context 64, batch 12) and 04-tiny-gpt's default (2 x 64, T 32, B 16). */
    static final Shape LARGE = new Shape("GPT 4x128", 4, 128, 4, 64, 12);
    static final Shape SMALL = new Shape("GPT 2x64", 2, 64, 4, 32, 16);

    static final double LR = 1e-3, WD = 0.1, BETA1 = 0.9, BETA2 = 0.99, EPS = 1e-8, CLIP = 1.0;
    static final int BATCHES = 8;
    /** The CPU time of the calling thread in the last {@link #engineSteps} (all the work with 1 thread). */
    static double lastCpuSeconds;
    /** Every counter of the last {@link #engineSteps} (process CPU, GC, JIT: where wall time beyond CPU time went). */
    static Stopwatch.Reading lastReading;

    record Options(int rounds, int steps, int threads, List<Shape> shapes, boolean torch, String python,
                   boolean profile, int warmups) {}

    private GptBenchmark() {}

    static Options parse(String[] args) {
        int rounds = 3, steps = 30, threads = 1, warmups = 3;
        List<Shape> shapes = List.of(LARGE, SMALL);
        boolean torch = true, profile = true;
        String python = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--steps" -> steps = Integer.parseInt(value(args, ++i, a));
                case "--warmup" -> warmups = Integer.parseInt(value(args, ++i, a));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, a));
                case "--gpt" -> {
                    String s = value(args, ++i, a);
                    shapes = switch (s) {
                        case "4x128" -> List.of(LARGE);
                        case "2x64" -> List.of(SMALL);
                        case "both" -> List.of(LARGE, SMALL);
                        default -> throw new IllegalArgumentException("GptBenchmark: --gpt expects 4x128, 2x64 or "
                                + "both, got " + s);
                    };
                }
                case "--python" -> python = value(args, ++i, a);
                case "--no-torch" -> torch = false;
                case "--no-profile" -> profile = false;
                case "--help", "-h" -> {
                    System.out.println("""
                            GPT training step (Trainer, AdamW, clip 1): course engine vs PyTorch (CPU).
                              --gpt 4x128|2x64|both  which size(s) (default both)
                              --rounds N     timed rounds per framework after the warm-up (default 3)
                              --warmup N     untimed warm-up rounds per framework first (default 3: the JIT
                                             compiles the engine's loops over the first ~100 steps)
                              --steps N      training steps per round (default 30)
                              --threads N    BLAS/OpenMP/torch threads (default 1)
                              --python PATH  the Python with PyTorch (default /usr/bin/python3, else python3)
                              --no-torch     skip PyTorch
                              --no-profile   skip the phase, op-family and memory breakdowns""");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("GptBenchmark: unknown option '" + a + "'; see --help");
            }
        }
        if (rounds < 1 || steps < 3 || threads < 1 || warmups < 1) {
            throw new IllegalArgumentException("GptBenchmark: expected rounds >= 1, steps >= 3, threads >= 1, "
                    + "warmup >= 1; got "
                    + Arrays.toString(args));
        }
        return new Options(rounds, steps, threads, shapes, torch, python, profile, warmups);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("GptBenchmark: " + option + " needs a value");
        return args[i];
    }

    /**
     * Runs the benchmark for each chosen size and prints, per size, the round-by-round times, the s/step table
     * (median, min..max, ratio to PyTorch, GFLOP/s and % of the sgemm peak) and, unless {@code --no-profile}, the
     * breakdowns by phase, op family and memory. {@code --help} prints the options and exits.
     *
     * @param args {@code --gpt 4x128|2x64|both}, {@code --rounds N} ({@code N >= 1}), {@code --steps N}
     *     ({@code N >= 3}), {@code --threads N} ({@code N >= 1}), {@code --python PATH}, {@code --no-torch},
     *     {@code --no-profile}
     * @throws IllegalArgumentException for an unknown option, an option without its value, a {@code --gpt} other than
     *     4x128, 2x64 or both, or a count below its minimum above ({@link NumberFormatException} for a count that is
     *     not an integer)
     * @throws IllegalStateException when the PyTorch twin's first loss differs from the engine's by more than
     *     1e-4 relative (the two would not be training the same model)
     * @throws IOException when the PyTorch process ends or answers with an error mid-run
     */
    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        LeNetBenchmark.setThreads(o.threads);
        for (Shape s : o.shapes) run(s, o);
    }

    /** Batches of random tokens: ids [B, T] and next-token targets, from a fixed seed (the same for both sides). */
    static List<Batch> batches(Shape s) {
        Random r = new Random(7);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            long[] ids = new long[s.batch * s.context], next = new long[ids.length];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = r.nextInt(VOCAB);
                next[j] = r.nextInt(VOCAB);
            }
            out.add(new Batch(Nd4j.createFromArray(ids).reshape(s.batch, s.context),
                    Nd4j.createFromArray(next).reshape(s.batch, s.context)));
        }
        return out;
    }

    static Trainer trainer(GPT model) {
        Adam adam = Adam.adamW(model.parameters(), LR, BETA1, BETA2, EPS, WD);
        return new Trainer(model, adam, new TrainConfig(null, CLIP, 1, 0, 42, false));
    }

    /** Runs {@code n} more steps through the Trainer; returns {seconds, the losses}. */
    static double engineSteps(Trainer t, GPT model, List<Batch> batches, int n, List<Double> losses) {
        Stopwatch clock = Stopwatch.start();
        History h = t.fitSteps(t.step() + n, step -> batches.get(step % batches.size()),
                b -> model.loss(b.x(), b.y()), null);
        lastReading = clock.stop();
        lastCpuSeconds = lastReading.threadCpu();
        if (losses != null) for (double l : h.losses()) losses.add(l);
        return lastReading.wall();
    }

    static void run(Shape s, Options o) throws Exception {
        GPTConfig cfg = s.config();
        GPT model = new GPT(cfg);
        List<Batch> batches = batches(s);
        long params = model.parameterCount();
        double peak = gemmPeak(s);
        System.out.printf(Locale.ROOT, "%n%s: %d layers x %d wide, %d heads, context %d, batch %d, vocabulary %d, "
                        + "%,d parameters, float32; AdamW lr %s (betas %s, %s, wd %s on matrices), clip at norm %s; "
                        + "%d thread(s), %d steps per round, %d timed round(s) after %d warm-up round(s)%n",
                s.name, s.layers, s.width, s.heads, s.context, s.batch, VOCAB, params, LR, BETA1, BETA2, WD, CLIP,
                o.threads, o.steps, o.rounds, o.warmups);
        System.out.printf(Locale.ROOT, "%.1f MFLOP per step (6N + attention, per token x B*T); sgemm [%d,%d]x[%d,%d] "
                + "(the MLP's product) with Gemm.mm: %.1f GFLOP/s; BLAS: %s%n", s.flopsPerStep() / 1e6,
                s.batch * s.context, s.width, s.width, 4 * s.width, peak, NativeBlas.describe());

        TorchGpt torch = null;
        if (o.torch) {
            Path ck = Files.createTempFile("gpt-bench", ".bmck");
            ck.toFile().deleteOnExit();
            writeTwinCheckpoint(model, s, batches, ck);
            torch = TorchGpt.start(o, ck);
        }
        Trainer trainer = trainer(model);

        Map<String, List<Double>> seconds = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        seconds.put("engine", new ArrayList<>());
        cpu.put("engine", new ArrayList<>());
        if (torch != null) {
            seconds.put("PyTorch", new ArrayList<>());
            cpu.put("PyTorch", new ArrayList<>());
        }
        // warm-up rounds (round <= 0) alternate like the timed ones: both sides run the same number of steps first
        for (int round = 1 - o.warmups; round <= o.rounds; round++) {
            boolean warmup = round <= 0;
            List<Double> el = new ArrayList<>(), tl = new ArrayList<>();
            double e = engineSteps(trainer, model, batches, o.steps, el) / o.steps, ec = lastCpuSeconds / o.steps;
            double t = torch != null ? torch.steps(o.steps, tl, null) / o.steps : Double.NaN;
            double tc = torch != null ? torch.lastCpuSeconds / o.steps : Double.NaN;
            if (round == 1 - o.warmups) firstLosses(el, tl);
            System.out.printf(Locale.ROOT, "%s: engine %.4f s/step (CPU %.4f)%s%n",
                    warmup ? "warm-up " + (round + o.warmups) : "round " + round,
                    e, ec, torch != null ? String.format(Locale.ROOT, ", PyTorch %.4f s/step (CPU %.4f); ratio %.2f "
                            + "(CPU %.2f)", t, tc, e / t, ec / tc) : "");
            System.out.println("  engine: " + lastReading.describe(o.steps, "step"));
            if (!warmup) {
                seconds.get("engine").add(e);
                cpu.get("engine").add(ec);
                if (torch != null) {
                    seconds.get("PyTorch").add(t);
                    cpu.get("PyTorch").add(tc);
                }
            }
        }

        double torchMedian = torch != null ? Stats.median(seconds.get("PyTorch")) : Double.NaN;
        System.out.println();
        double torchCpu = torch != null ? Stats.median(cpu.get("PyTorch")) : Double.NaN;
        System.out.printf(Locale.ROOT, "%-8s %9s %16s %10s %11s %14s %8s %8s%n", "", "s/step", "(min..max)",
                "vs PyTorch", "CPU s/step", "CPU vs PyTorch", "GFLOP/s", "% peak");
        for (var e : seconds.entrySet()) {
            double med = Stats.median(e.getValue());
            double gflops = s.flopsPerStep() / med / 1e9;
            double c = Stats.median(cpu.get(e.getKey()));
            System.out.printf(Locale.ROOT, "%-8s %9.4f %16s %10s %11.4f %14s %8.2f %7.0f%%%n", e.getKey(), med,
                    String.format(Locale.ROOT, "%.4f..%.4f", Stats.min(e.getValue()), Stats.max(e.getValue())),
                    torch != null ? String.format(Locale.ROOT, "%.2f", med / torchMedian) : "-", c,
                    torch != null ? String.format(Locale.ROOT, "%.2f", c / torchCpu) : "-", gflops, 100 * gflops / peak);
        }
        if (torch != null) {
            for (var times : List.of(seconds, cpu)) {
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < o.rounds; i++) ratios.add(times.get("engine").get(i) / times.get("PyTorch").get(i));
                System.out.printf(Locale.ROOT, "engine / PyTorch per round, %s: %s (min..max %.2f..%.2f, median %.2f)%n",
                        times == cpu ? "CPU time" : "wall time",
                        ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList(), Stats.min(ratios),
                        Stats.max(ratios), Stats.median(ratios));
            }
        }
        System.out.printf(Locale.ROOT, "(CPU = the training thread's CPU time, all the work with 1 thread: steadier "
                + "than wall time on a shared machine)%n");
        System.out.printf(Locale.ROOT, "(median of %d rounds of %d steps; DL4J: not expressible, see GptBenchmark's "
                + "doc; %% peak = of the sgemm measured above)%n", o.rounds, o.steps);

        if (o.profile) {
            profile(s, o, model, trainer, batches, torch);
        }
        if (torch != null) torch.close();
    }

    /** Prints the first three losses of each side and whether the first agree (the same weights, the same batch). */
    static void firstLosses(List<Double> engine, List<Double> torch) {
        System.out.printf(Locale.ROOT, "first losses: engine %s", fmt(engine.subList(0, 3)));
        if (torch.isEmpty()) {
            System.out.println();
            return;
        }
        double diff = Math.abs(engine.get(0) - torch.get(0));
        boolean agree = diff <= 1e-4 * Math.max(1, Math.abs(torch.get(0)));
        System.out.printf(Locale.ROOT, ", PyTorch %s: first loss %s (|diff| %.1e)%n", fmt(torch.subList(0, 3)),
                agree ? "agrees" : "DIFFERS: the twin is not the same model", diff);
        if (!agree) {
            throw new IllegalStateException("GptBenchmark: the PyTorch twin's first loss " + torch.get(0)
                    + " differs from the engine's " + engine.get(0) + "; the two do not train the same model, so "
                    + "their times cannot be compared (was tools/bench/gpt_torch.py changed?)");
        }
    }

    private static String fmt(List<Double> xs) {
        return xs.stream().map(x -> String.format(Locale.ROOT, "%.5f", x)).toList().toString();
    }

    // =================================================================== breakdowns

    static void profile(Shape s, Options o, GPT model, Trainer trainer, List<Batch> batches, TorchGpt torch)
            throws IOException {
        // phases: the Trainer's step written out with the clock read between phases
        PhaseTimer timer = new PhaseTimer("forward + loss", "backward", "clip + optimizer");
        Arena arena = trainer.arena();
        long peakNative = 0;
        for (int i = 0; i < o.steps; i++) {
            Batch b = batches.get(i % batches.size());
            try (Arena scope = arena.open()) {
                timer.startStep();
                trainer.optimizer().zeroGrad();
                Tensor loss = model.loss(b.x(), b.y());
                loss.item();
                timer.endPhase();
                loss.backward();
                timer.endPhase();
                GradClip.clipNorm(trainer.optimizer().parameters(), CLIP);
                trainer.optimizer().step();
                timer.endPhase();
            }
            peakNative = Math.max(peakNative, nativeBytes());
        }
        Map<String, Double> torchPhases = new LinkedHashMap<>();
        if (torch != null) torch.steps(o.steps, null, torchPhases);
        System.out.printf(Locale.ROOT, "%nby phase (ms/step)    %10s %10s%n", "engine", torch != null ? "PyTorch" : "");
        for (String p : timer.phases()) {
            double e = 1e3 * timer.seconds(p) / timer.steps();
            Double t = torchPhases.get(p);
            System.out.printf(Locale.ROOT, "  %-19s %7.2f %3.0f%% %s%n", p, e, 100 * timer.share(p),
                    t == null ? "" : String.format(Locale.ROOT, "%7.2f %3.0f%%", 1e3 * t / o.steps,
                            100 * t / torchPhases.values().stream().mapToDouble(Double::doubleValue).sum()));
        }

        // op families: stack samples of the engine's steps; PyTorch's profiler
        Map<String, Long> samples;
        try (OpFamilySampler sampler = new OpFamilySampler(Thread.currentThread(), 1000)) {
            engineSteps(trainer, model, batches, o.steps, null);
            samples = sampler.stop();
        }
        Map<String, Double> torchFam = torch != null ? torch.profile(Math.max(5, o.steps / 3)) : Map.of();
        long total = samples.values().stream().mapToLong(Long::longValue).sum();
        double torchTotal = torchFam.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf(Locale.ROOT, "by op family (share)  %10s %10s%n", "engine", torch != null ? "PyTorch" : "");
        for (String f : OpFamilySampler.FAMILIES) {
            System.out.printf(Locale.ROOT, "  %-19s %9.0f%% %s%n", f, 100.0 * samples.get(f) / Math.max(1, total),
                    torch != null ? String.format(Locale.ROOT, "%9.0f%%", 100 * torchFam.getOrDefault(f, 0.0)
                            / Math.max(1e-12, torchTotal)) : "");
        }
        System.out.printf(Locale.ROOT, "  (engine: %d stack samples; PyTorch: self CPU time of its ops in its profiler)%n",
                total);

        // memory
        long p = model.parameterCount();
        long optimizerBytes = 2L * p * 4 + p * 4; // m, v and Adam's scratch array per parameter
        long arenaBytes = arena.bytes();
        long weights = 4L * p;
        Map<String, Long> analytic = analyticBytes(s);
        System.out.printf(Locale.ROOT, "%nmemory of a step (MB)        measured    analytic%n");
        System.out.printf(Locale.ROOT, "  weights                   %9.2f %11.2f%n", weights / 1e6, analytic.get("weights") / 1e6);
        System.out.printf(Locale.ROOT, "  Adam state (m, v%s)    %9.2f %11.2f%n", ", scratch", optimizerBytes / 1e6,
                analytic.get("Adam m, v") / 1e6);
        System.out.printf(Locale.ROOT, "  arena (gradients + activations + scratch) %6.2f %s%n", arenaBytes / 1e6,
                String.format(Locale.ROOT, "%6.2f (gradients %.2f + activations %.2f)",
                        (analytic.get("gradients") + analytic.get("activations")) / 1e6,
                        analytic.get("gradients") / 1e6, analytic.get("activations") / 1e6));
        System.out.printf(Locale.ROOT, "  arena, Java work arrays of the loops (heap) %6.2f%n", arena.heapBytes() / 1e6);
        long measured = weights + optimizerBytes + arenaBytes + arena.heapBytes();
        long expect = analytic.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(Locale.ROOT, "  total                     %9.2f %11.2f  (x%.2f the analytic count)%n",
                measured / 1e6, expect / 1e6, (double) measured / expect);
        System.out.printf(Locale.ROOT, "  process resident memory, peak over %d steps: %.1f MB (ND4J's native buffers, "
                + "OpenBLAS and the JVM heap of %.1f MB used)%n", o.steps, peakNative / 1e6,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1e6);
    }

    /**
     * The bytes a float32 GPT training step must hold, counted from the architecture: weights, gradients and Adam's
     * m and v (4 bytes each per parameter), and the activations backward needs, per block (B·T·C each unless said):
     * ln1's input and output, q, k, v (3), the attention weights (B·H·T·T), the heads' output, the residual, ln2's
     * output, the MLP's hidden layer before and after GELU (4 + 4); plus the embeddings' sum, the final norm's output
     * and the logits (B·T·V) with their gradient (B·T·V).
     */
    static Map<String, Long> analyticBytes(Shape s) {
        long p = ModelMath.of(s.config()).parameters();
        long btc = (long) s.batch * s.context * s.width;
        long perBlock = 16 * btc + (long) s.batch * s.heads * s.context * s.context;
        long acts = s.layers * perBlock + 2 * btc + 2L * s.batch * s.context * VOCAB;
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("weights", 4 * p);
        m.put("gradients", 4 * p);
        m.put("Adam m, v", 8 * p);
        m.put("activations", 4 * acts);
        return m;
    }

    /**
     * The process's resident memory (RSS, read by JavaCPP from /proc): ND4J's native buffers, OpenBLAS's and the JVM
     * heap together. ND4J's own counter does not see its CPU buffers: {@code Nd4j.getMemoryManager().allocatedMemory(0)}
     * returns JavaCPP's {@code Pointer.totalBytes()}, and both stay under 300 bytes while 40 MB of arrays are alive
     * (libnd4j allocates them itself); the engine uses no workspaces ({@code Nd4j.getWorkspaceManager()} lists none).
     * So the arena counts its arrays itself ({@link Arena#bytes()}, {@link Arena#heapBytes()}) and this is the check.
     */
    static long nativeBytes() {
        return org.bytedeco.javacpp.Pointer.physicalBytes();
    }

    /** sgemm GFLOP/s of the MLP's product [B·T, C]·[C, 4C] with Gemm.mm into a preallocated result, best of 3. */
    static double gemmPeak(Shape s) {
        int m = s.batch * s.context, k = s.width, n = 4 * s.width;
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k), b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        double flops = 2.0 * m * k * n, best = 0;
        for (int rep = 0; rep < 3; rep++) {
            for (int i = 0; i < 20; i++) Gemm.mm(a, false, b, false, c, 1.0, 0.0);
            long count = 0, t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 150_000_000L) {
                for (int i = 0; i < 10; i++) Gemm.mm(a, false, b, false, c, 1.0, 0.0);
                count += 10;
            }
            best = Math.max(best, flops * count / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        return best;
    }

    /** The engine's initial weights ("model/<name>"), the batches and the settings, for the PyTorch twin. */
    static void writeTwinCheckpoint(GPT model, Shape s, List<Batch> batches, Path file) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        model.namedParameters().forEach((n, t) -> values.put("model/" + n, t.value()));
        values.put("bench/config", Nd4j.createFromArray(new long[] {VOCAB, s.context, s.layers, s.heads, s.width}));
        values.put("bench/optim", Nd4j.createFromArray(new double[] {LR, WD, BETA1, BETA2, EPS, CLIP}));
        INDArray[] ids = new INDArray[batches.size()], next = new INDArray[batches.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batches.get(i).x().reshape(1, s.batch, s.context);
            next[i] = batches.get(i).y().reshape(1, s.batch, s.context);
        }
        values.put("bench/ids", Nd4j.concat(0, ids));
        values.put("bench/targets", Nd4j.concat(0, next));
        Checkpoint.write(values, file);
    }

    // =================================================================== PyTorch, as a subprocess

    /** tools/bench/gpt_torch.py in --serve mode: one process, one JSON line per command. */
    static final class TorchGpt implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final BufferedReader out;
        double lastCpuSeconds = Double.NaN;

        private TorchGpt(Process p) {
            this.process = p;
            this.in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        static TorchGpt start(Options o, Path checkpoint) throws IOException {
            Path script = null;
            for (Path dir = Paths.get("").toAbsolutePath(); dir != null && script == null; dir = dir.getParent()) {
                Path c = dir.resolve("tools/bench/gpt_torch.py");
                if (Files.isRegularFile(c)) script = c;
            }
            if (script == null) {
                System.out.println("PyTorch skipped: tools/bench/gpt_torch.py not found above "
                        + Paths.get("").toAbsolutePath());
                return null;
            }
            String python = o.python != null ? o.python
                    : Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--serve", "--threads",
                    Integer.toString(o.threads), "--checkpoint", checkpoint.toString());
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
            TorchGpt t = new TorchGpt(p);
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

        /** n steps; returns the seconds, adds the losses and the seconds per phase when asked. */
        double steps(int n, List<Double> losses, Map<String, Double> phases) throws IOException {
            String json = ask("steps " + n);
            if (losses != null) {
                Matcher m = Pattern.compile("\"losses\":\\s*\\[([^\\]]*)\\]").matcher(json);
                if (m.find()) for (String x : m.group(1).split(",")) losses.add(Double.parseDouble(x.trim()));
            }
            if (phases != null) phases.putAll(numbers(json, "phases"));
            lastCpuSeconds = number(json, "cpu_seconds");
            return number(json, "seconds");
        }

        Map<String, Double> profile(int n) throws IOException {
            return numbers(ask("profile " + n), "families");
        }

        private String ask(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null) {
                throw new IOException("the PyTorch process ended" + (process.isAlive() ? "" : " (exit "
                        + process.exitValue() + ")"));
            }
            if (line.contains("\"error\"")) throw new IOException("PyTorch answered " + line);
            return line;
        }

        private static double number(String json, String key) {
            Matcher m = Pattern.compile("\"" + key + "\":\\s*([-0-9.eE+]+)").matcher(json);
            if (!m.find()) throw new IllegalStateException("PyTorch answered " + json + ", expected \"" + key + "\"");
            return Double.parseDouble(m.group(1));
        }

        /** The flat object {"name": number, ...} under {@code key}. */
        private static Map<String, Double> numbers(String json, String key) {
            Matcher m = Pattern.compile("\"" + key + "\":\\s*\\{([^}]*)\\}").matcher(json);
            Map<String, Double> out = new LinkedHashMap<>();
            if (!m.find()) return out;
            Matcher kv = Pattern.compile("\"([^\"]+)\":\\s*([-0-9.eE+]+)").matcher(m.group(1));
            while (kv.find()) out.put(kv.group(1), Double.parseDouble(kv.group(2)));
            return out;
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
}
