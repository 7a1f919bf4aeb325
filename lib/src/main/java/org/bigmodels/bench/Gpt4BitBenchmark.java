package org.bigmodels.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bigmodels.data.Datasets;
import org.bigmodels.data.TinyShakespeare;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.LrSchedule;
import org.bigmodels.optim.ParamGroup;
import org.bigmodels.quant.ActivationAwareClipping;
import org.bigmodels.quant.ActivationAwareScaling;
import org.bigmodels.quant.GroupwiseRTN;
import org.bigmodels.text.CharTokenizer;
import org.bigmodels.text.TextBatches;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Checkpoint;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weight-only 4- and 3-bit quantization of a character GPT: validation loss of float32, group-wise round-to-nearest
 * ({@link GroupwiseRTN}) and the two halves of AWQ (Lin et al. 2023) alone and together: activation-aware scaling
 * ({@link ActivationAwareScaling}), activation-aware clipping ({@link ActivationAwareClipping}), and both (AWQ), per
 * group size (issue 12; lesson 14).
 *
 * <p>The model is the committed checkpoint {@code datasets/gpt-quant/gpt-4x128-shakespeare.bin} ({@link #config}:
 * 4 blocks of width 128, 4 heads, context 64, trained {@link #TRAIN_STEPS} steps on Tiny Shakespeare), produced once by
 * {@code train out=FILE} (see {@link #train}). Validation: {@link #VAL_BATCHES} fixed batches of 16 x 64 characters
 * from the held-out 10 % of the text; calibration: {@link #CALIBRATION_ROWS} x 64 training characters (seed 99), as in
 * lesson 14.
 *
 * <p>Run: {@code ./course bench gpt4bit [layers] [groups=32,64,128]} (the table), or {@code ./course bench gpt4bit
 * train out=datasets/gpt-quant/gpt-4x128-shakespeare.bin} (the training, about 10 min on one idle core).
 */
public final class Gpt4BitBenchmark {
    private Gpt4BitBenchmark() {}

    /** Steps of the committed model's training. */
    public static final int TRAIN_STEPS = 2000;
    /** Validation batches of 16 x 64 characters (65,536 characters). */
    public static final int VAL_BATCHES = 64;
    /** The committed checkpoint, relative to the datasets folder ({@link Datasets#root}). */
    public static final String CHECKPOINT = "gpt-quant/gpt-4x128-shakespeare.bin";

    /** The committed model's size: 4 blocks of width 128, 4 heads, context 64, the character vocabulary. */
    public static GPTConfig config(int vocabSize) {
        return GPTConfig.tiny(vocabSize).withNLayer(4).withNEmbd(128, 4).withBlockSize(64).withSeed(1337);
    }

    /**
     * The options of a run, read by {@link #options}.
     *
     * @param help   --help was given: print {@link #USAGE} and do nothing else
     * @param train  train the model and save it to {@code out} instead of evaluating
     * @param layers also print each layer's alpha and calibration output error
     */
    public record Options(boolean help, boolean train, boolean layers, String out, String model, int grid,
                          int valBatches, int stop, int calibRows, int[] groups) {}

    /** What --help prints. */
    public static final String USAGE = String.join("\n",
            "./course bench gpt4bit [options]   (each option as key=value or --key value)",
            "  Weight-only 4- and 3-bit quantization of the committed character GPT (lesson 14, section 12):",
            "  validation loss of group-wise round-to-nearest (RTN) vs AWQ's two activation-aware steps, scaling and",
            "  clipping, alone and together, per group size (loss above float; closed = share of RTN's gap closed by AWQ).",
            "  train out=FILE    train the model (" + TRAIN_STEPS + " AdamW steps) and save it to FILE instead of evaluating",
            "  stop=STEPS        with train: stop after STEPS steps (default " + TRAIN_STEPS + ")",
            "  model=FILE        evaluate this checkpoint (default: the committed datasets/" + CHECKPOINT + ")",
            "  grid=N            the scaling's alpha grid 0, 1/N, ..., (N-1)/N (default 20; the clipping's ratio grid",
            "                    is AWQ's fixed 1, 0.95, ..., 0.55)",
            "  val=N             validation batches of 16 x 64 characters (default " + VAL_BATCHES + " = 65,536 characters)",
            "  calib=N           calibration windows of 64 training characters (default " + Gpt4BitBenchmark.CALIBRATION_ROWS
                    + ", at most " + Gpt4BitBenchmark.MAX_CALIBRATION_ROWS + ")",
            "  groups=A,B,...    group sizes along the input rows (default 32,64,128)",
            "  layers            also print each layer's alpha and calibration output error",
            "  --help            this text");

    /**
     * Reads the command line ({@code key=value}, {@code --key value} or {@code --key=value}; see {@link #USAGE}),
     * checking every value before any work starts.
     *
     * @throws IllegalArgumentException naming the option, what it accepts and what it got (an unknown option, a value
     *     out of range, a missing value, train without out=FILE)
     */
    public static Options options(String[] args) {
        String out = null, model = null;
        boolean help = false, train = false, layers = false;
        int grid = 20, valBatches = VAL_BATCHES, stop = TRAIN_STEPS, calibRows = CALIBRATION_ROWS;
        int[] groups = {32, 64, 128};
        for (String a : BenchOptions.keyValues(args, List.of("out", "model", "grid", "stop", "val", "calib", "groups"),
                List.of("train", "layers"))) {
            if (a.equals("--help") || a.equals("-h")) help = true;
            else if (a.equals("train")) train = true;
            else if (a.equals("layers")) layers = true;
            else if (a.startsWith("out=")) out = a.substring(4);
            else if (a.startsWith("model=")) model = a.substring(6);
            else if (a.startsWith("grid=")) grid = intOption(a, 1, Integer.MAX_VALUE, "an integer N >= 1");
            else if (a.startsWith("stop=")) stop = intOption(a, 50, TRAIN_STEPS, "50 or a multiple of 250 up to " + TRAIN_STEPS);
            else if (a.startsWith("val=")) valBatches = intOption(a, 1, VAL_BATCHES, "an integer from 1 to " + VAL_BATCHES);
            else if (a.startsWith("calib=")) calibRows = intOption(a, 1, MAX_CALIBRATION_ROWS, "an integer from 1 to "
                    + MAX_CALIBRATION_ROWS + " (each window's captured activations take about 13 MB: 1024 took 13 GB)");
            else if (a.startsWith("groups=")) groups = groupsOption(a);
            else throw new IllegalArgumentException("gpt4bit: unknown option " + a + ", got it among " + List.of(args)
                    + " (./course bench gpt4bit --help lists the options)");
        }
        if (stop != 50 && stop % 250 != 0) {
            throw new IllegalArgumentException("gpt4bit: expected stop=STEPS with STEPS 50 or a multiple of 250 (the steps at "
                    + "which the run saves), got stop=" + stop);
        }
        if (train && out == null && !help) {
            throw new IllegalArgumentException("gpt4bit: train needs out=FILE (the checkpoint to write), got no out=");
        }
        return new Options(help, train, layers, out, model, grid, valBatches, stop, calibRows, groups);
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = options(args);
        } catch (IllegalArgumentException e) {   // a usage error: the message, exit status 2, no stack trace
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (o.help()) {
            System.out.println(USAGE);
            return;
        }
        boolean layers = o.layers();
        int grid = o.grid(), valBatches = o.valBatches(), calibRows = o.calibRows();
        int[] groups = o.groups();
        String model = o.model();
        String text = TinyShakespeare.text();
        CharTokenizer tok = CharTokenizer.fit(text);
        TextBatches data = new TextBatches(tok.encode(text));
        if (o.train()) {
            train(data, tok.vocabSize(), Path.of(o.out()), o.stop());
            return;
        }
        GPT gpt = new GPT(config(tok.vocabSize()));
        Checkpoint.load(gpt, model == null ? Datasets.root().resolve(CHECKPOINT) : Path.of(model));
        List<Batch> val = validation(data).subList(0, valBatches);
        INDArray calib = calibration(data, calibRows);
        long start = System.nanoTime();
        double fl = loss(gpt, val);
        System.out.printf(Locale.ROOT, "float32 validation loss %.4f nats/char (%d characters)%n", fl, valBatches * 16 * 64);
        System.out.println("loss above float (nats/char); closed = share of RTN's gap closed by AWQ (scale + clip)");
        System.out.printf(Locale.ROOT, "%4s %6s %9s %9s %9s %9s %8s%n", "bits", "group", "RTN", "scale", "clip",
                "AWQ", "closed");
        for (int bits : new int[] {4, 3}) {
            for (int g : groups) {
                double rtn = loss(GroupwiseRTN.quantize(gpt, bits, g), val);
                var aware = ActivationAwareScaling.quantize(gpt, calib, bits, g, grid);
                double aw = loss(aware.model(), val);
                double cl = loss(ActivationAwareClipping.quantize(gpt, calib, bits, g), val);
                var both = ActivationAwareScaling.quantize(gpt, calib, bits, g, grid, true);
                double awq = loss(both.model(), val);
                System.out.printf(Locale.ROOT, "%4d %6d %9.4f %9.4f %9.4f %9.4f %8s%n", bits, g, rtn - fl, aw - fl,
                        cl - fl, awq - fl, percentOf(rtn - awq, rtn - fl));
                if (layers) {
                    for (var r : aware.layers()) {
                        System.out.printf(Locale.ROOT, "    %-16s alpha %.2f  output error RTN %.3e  aware %.3e (%s lower)%n",
                                r.layer(), r.alpha(), r.rtnError(), r.scaledError(), percentOf(r.rtnError() - r.scaledError(), r.rtnError()));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    /**
     * part / whole as a whole percentage ("36%"), or "n/a" when whole is not positive (RTN no worse than float on these
     * batches, or a layer RTN reproduces exactly): a share of nothing is not a number to print.
     */
    public static String percentOf(double part, double whole) {
        return whole > 0 && Double.isFinite(part) ? String.format(Locale.ROOT, "%.0f%%", 100 * part / whole) : "n/a";
    }

    /**
     * The integer value of option {@code key=value} within [min, max].
     *
     * @throws IllegalArgumentException naming the option, what it accepts and what it got
     */
    static int intOption(String option, int min, int max, String accepts) {
        String key = option.substring(0, option.indexOf('=') + 1);
        try {
            int v = Integer.parseInt(option.substring(key.length()).trim());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("gpt4bit: expected " + key + " with " + accepts + ", got " + option
                + " (./course bench gpt4bit --help lists the options)");
    }

    /**
     * The group sizes of {@code groups=A,B,...}: each must split the input rows of every block Linear (width C and 4C
     * of {@link #config}) into whole groups, i.e. divide C and 4C or be at least as large (one group per column).
     *
     * @throws IllegalArgumentException naming the bad size and the widths
     */
    static int[] groupsOption(String option) {
        int c = config(1).nEmbd();
        String[] parts = option.substring("groups=".length()).split(",", -1);
        int[] g = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            g[i] = intOption("groups=" + parts[i], 1, Integer.MAX_VALUE, "comma-separated group sizes >= 1");
            for (int in : new int[] {c, 4 * c}) {
                if (g[i] < in && in % g[i] != 0) {
                    throw new IllegalArgumentException("gpt4bit: expected groups= with sizes that divide the block Linears' "
                            + "input widths " + c + " and " + 4 * c + " (or are at least " + 4 * c + "), e.g. 32,64,128; got "
                            + g[i] + " in " + option);
                }
            }
        }
        return g;
    }

    /**
     * The committed model ({@link #CHECKPOINT} under {@link Datasets#root}) for the vocabulary of Tiny Shakespeare.
     *
     * @throws IllegalArgumentException if the file is missing, damaged (CRC32) or of another shape
     */
    public static GPT committedModel(int vocabSize) {
        GPT gpt = new GPT(config(vocabSize));
        Checkpoint.load(gpt, Datasets.root().resolve(CHECKPOINT));
        return gpt;
    }

    /** Calibration windows of 64 training characters by default (8,192 characters; with 2,048 the chosen scales and clipping ratios fitted the calibration text and varied from one validation subset to another). */
    public static final int CALIBRATION_ROWS = 128;

    /** The most calibration windows {@code calib=} accepts: 1024 windows needed 13 GB of memory (the captured inputs). */
    public static final int MAX_CALIBRATION_ROWS = 1024;

    /** {@code rows} windows of 64 training characters (seed 99), token ids [rows, 64]: the calibration data. */
    public static INDArray calibration(TextBatches data, int rows) {
        return data.batch(rows, 64, new Random(99)).x();
    }

    /** The fixed validation batches (seed 7). */
    public static List<Batch> validation(TextBatches data) {
        Random rng = new Random(7);
        List<Batch> val = new ArrayList<>();
        for (int i = 0; i < VAL_BATCHES; i++) val.add(data.valBatch(16, 64, rng));
        return val;
    }

    /**
     * Mean cross-entropy (nats per character) of the model on the batches, in evaluation mode.
     *
     * @throws IllegalArgumentException if there are no batches
     */
    public static double loss(GPT m, List<Batch> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("Gpt4BitBenchmark.loss: expected at least one batch, got none; pass e.g. "
                    + "validation(data) or a non-empty subList of it");
        }
        return Trainer.inference(m, mm -> batches.stream().mapToDouble(b -> m.loss(b.x(), b.y()).item()).average()
                .getAsDouble());
    }

    /**
     * Trains the model of {@link #config} for {@link #TRAIN_STEPS} steps: AdamW (3e-3, betas 0.9/0.99, weight decay 0.1
     * on matrices and embeddings), warmup 100 steps then cosine to 3e-4, gradient clipping at 1, batches of 16 x 64
     * characters drawn with seed 1337 + step; saved with {@link Checkpoint#save} every 250 steps (atomically) and at
     * the end. {@code stop} < TRAIN_STEPS ends the run after {@code stop} steps (a multiple of 250), the schedule
     * unchanged: the file is then the one the full run wrote at that step.
     */
    public static void train(TextBatches data, int vocab, Path out, int stop) throws Exception {
        Files.createDirectories(out.toAbsolutePath().getParent());
        GPT gpt = new GPT(config(vocab));
        Adam opt = Adam.adamW(ParamGroup.decayMatricesOnly(gpt.parameters(), 0.1), 3e-3, 0.9, 0.99, 1e-8);
        Trainer trainer = new Trainer(gpt, opt, TrainConfig.defaults().withSeed(1337).withClipNorm(1.0).withProgress(false)
                .withSchedule(LrSchedule.cosineWithWarmup(3e-3, 100, TRAIN_STEPS, 3e-4)));
        List<Batch> val = validation(data).subList(0, 8);
        long start = System.nanoTime();
        for (int done = 50; done <= Math.min(stop, TRAIN_STEPS); done = done < 250 ? 250 : done + 250) {
            trainer.fitSteps(done, s -> data.batch(16, 64, new Random(1337 + s)), b -> gpt.loss(b.x(), b.y()), null);
            Checkpoint.save(gpt, out);
            System.out.printf(Locale.ROOT, "step %d: validation loss %.4f, %.0f s%n", done, loss(gpt, val),
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
