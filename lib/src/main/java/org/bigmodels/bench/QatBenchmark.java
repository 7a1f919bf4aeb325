package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Module;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.LrSchedule;
import org.bigmodels.quant.QatMLP;
import org.bigmodels.train.Metrics;
import org.bigmodels.train.Stats;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Accuracy vs bits for post-training quantization (PTQ) and quantization-aware training (QAT) of a ReLU MLP
 * (LeNet-300-100 by default) on full MNIST, mean of several seeds (the target of issue 12 and lesson 15: at 4 bits
 * PTQ loses clearly more, QAT recovers to within 0.5 points of float; the pattern of Krishnamoorthi 2018, figure 7,
 * and MIT 6.5940's quantization lab).
 *
 * <p>Per seed: a float model trained with Adam (step decay). The fair baseline for QAT: a copy of it fine-tuned in float
 * with exactly QAT's recipe ({@link #fineTune}: same steps, optimizer, schedule and data order), since QAT's extra
 * steps are also extra training. Per bit width b, two settings, each with activations per tensor at b bits (WbAb):
 * <ul>
 *   <li>per-channel weights ({@link QatMLP#from}): PTQ with min-max calibration (also MSE-optimal, column PTQ-MSE), then
 *   QAT (LSQ step sizes learned with the weights);</li>
 *   <li>per-tensor weights ({@link QatMLP#perTensorWeights}): PTQ, then QAT.</li>
 * </ul>
 * Step sizes calibrated on 2,000 training images; accuracy on the 10,000 test images.
 *
 * <p>Two settings are recorded in lesson 15 (mean of 3 seeds):
 * <ul>
 *   <li>LeNet-300-100 (the defaults: 3 float epochs, decay 0.7, 1 QAT epoch at 1e-4): 4-bit PTQ is nearly free (about
 *   0.3 points lost); the knee is at 3 bits. A wide network has redundancy to absorb the rounding.</li>
 *   <li>A small MLP, 784-32-32-10 ({@code --sizes 784,32,32,10 --epochs 15 --lr-decay 0.9 --qat-lr 1e-3
 *   --qat-epochs 3}, about 7 minutes for 3 seeds): a tenth of LeNet's parameters, less redundancy. Here 4-bit PTQ
 *   loses clearly more (2.29 points per channel, 4.22 per tensor; float 96.64 %) and QAT recovers to within 0.5
 *   points of float (0.31, 0.34): the pattern of the target. The fair baseline, given the same 3 epochs at 1e-3, is
 *   0.16 points above float, and QAT ends 0.46 / 0.49 points below it (lesson 15, section 6, has the run).</li>
 * </ul>
 *
 * <p>Run: {@code ./course bench qat [options]} (defaults: 3 seeds, LeNet-300-100, 3 float epochs, 1 QAT epoch at 1e-4,
 * bits 8..2); options {@code --seeds n --epochs n --qat-epochs n --bits 8,4,2 --sizes 784,32,32,10 --lr-decay 0.9
 * --qat-lr 1e-3 --ptq-only --seed 2 --save FILE --merge F1,F2}; {@code --help} lists them.
 */
public final class QatBenchmark {
    private QatBenchmark() {}

    /**
     * Accuracies of one seed (fractions): float, float fine-tuned with QAT's recipe (the fair baseline), and per bit
     * width PTQ and QAT with per-channel weights (PTQ also MSE-calibrated) and with per-tensor weights.
     */
    public record SeedResult(long seed, double floatAccuracy, double fineTunedAccuracy, int[] bits, double[] ptq,
                             double[] ptqMse, double[] qat, double[] ptqTensor, double[] qatTensor) {}

    /**
     * The training recipe of one benchmark run: the MLP's layer sizes, float epochs and the float run's step decay per
     * epoch (Adam from 1e-3), QAT's epochs and peak learning rate (the fair baseline gets the same), and whether to
     * skip QAT and the baseline (a quick PTQ-only scan: their accuracies are then NaN).
     *
     * @param sizes     layer sizes, e.g. {784, 300, 100, 10} (LeNet-300-100, the default) or {784, 32, 10}
     * @param epochs    float training epochs
     * @param lrDecay   the float run's learning rate is multiplied by this after every epoch (0.7 by default)
     * @param qatEpochs QAT (and fair-baseline) fine-tuning epochs
     * @param qatLr     QAT's (and the fair baseline's) peak Adam learning rate, cosine decay to a twentieth of it
     * @param ptqOnly   true: measure float and PTQ only
     */
    public record Recipe(long[] sizes, int epochs, double lrDecay, int qatEpochs, double qatLr, boolean ptqOnly) {
        /**
         * @throws IllegalArgumentException if epochs < 1, qatEpochs < 1 (unless ptqOnly), lrDecay is not in (0, 1], or
         *                                  qatLr is not positive and finite
         */
        public Recipe {
            if (epochs < 1 || (!ptqOnly && qatEpochs < 1) || !(lrDecay > 0 && lrDecay <= 1) || !(qatLr > 0 && qatLr < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("QatBenchmark.Recipe: expected epochs >= 1, QAT epochs >= 1, a decay in "
                        + "(0, 1] and a positive QAT learning rate, got epochs " + epochs + ", QAT epochs " + qatEpochs
                        + ", decay " + lrDecay + ", QAT rate " + qatLr);
            }
        }

        /** The default recipe: LeNet-300-100, 3 float epochs (decay 0.7), 1 QAT epoch at 1e-4. */
        public static Recipe defaults() {
            return new Recipe(new long[] {784, 300, 100, 10}, 3, 0.7, 1, 1e-4, false);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "MLP %s, %d float epoch(s) (Adam 1e-3, decay %.2f per epoch), %s",
                    Arrays.toString(sizes), epochs, lrDecay, ptqOnly ? "PTQ only"
                            : String.format(Locale.ROOT, "%d QAT epoch(s) (Adam %.0e, cosine)", qatEpochs, qatLr));
        }
    }

    public static void main(String[] args) {
        Recipe d = Recipe.defaults();
        long[] sizes = d.sizes();
        int seeds = 3, epochs = d.epochs(), qatEpochs = d.qatEpochs();
        double lrDecay = d.lrDecay(), qatLr = d.qatLr();
        boolean ptqOnly = false;
        int[] bits = {8, 7, 6, 5, 4, 3, 2};
        long[] only = null;
        String save = null;
        for (int i = 0; i < args.length; i++) {
            boolean valued = !List.of("--ptq-only", "--help", "-h").contains(args[i]) && args[i].startsWith("--");
            if (valued && i + 1 >= args.length) {
                System.err.println("qat: option " + args[i] + " needs a value (./course bench qat --help lists the options)");
                System.exit(2);
            }
            try {
                switch (args[i]) {
                    case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                    case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                    case "--qat-epochs" -> qatEpochs = Integer.parseInt(args[++i]);
                    case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
                    case "--lr-decay" -> lrDecay = Double.parseDouble(args[++i]);
                    case "--qat-lr" -> qatLr = Double.parseDouble(args[++i]);
                    case "--ptq-only" -> ptqOnly = true;
                    case "--bits" -> bits = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--seed" -> only = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
                    case "--save" -> save = args[++i];
                    case "--merge" -> {
                        List<SeedResult> rs = new ArrayList<>();
                        for (String f : args[++i].split(",")) rs.addAll(readResults(java.nio.file.Path.of(f)));
                        System.out.print(table(rs));
                        return;
                    }
                    default -> {
                        boolean help = args[i].equals("--help") || args[i].equals("-h");
                        if (!help) System.out.println("unknown option: " + args[i]);
                        System.out.println("options: --seeds n (3) --epochs n (3) --qat-epochs n (1) --bits 8,7,...,2 "
                                + "--sizes 784,300,100,10 (the MLP) --lr-decay 0.7 (float run, per epoch) --qat-lr 1e-4 "
                                + "(QAT and the fair baseline) [--ptq-only (skip QAT: a quick scan)] "
                                + "[--seed 2 (run only these seeds)] [--save FILE (one line per seed)] [--merge F1,F2,...]");
                        if (!help) System.exit(2);
                        return;
                    }
                }
            } catch (NumberFormatException e) {
                System.err.println("qat: option " + args[i - 1] + " expects a number or a comma-separated list of numbers, got "
                        + args[i] + " (./course bench qat --help lists the options)");
                System.exit(2);
            }
        }
        Recipe recipe;
        try {
            recipe = new Recipe(sizes, epochs, lrDecay, qatEpochs, qatLr, ptqOnly);
        } catch (IllegalArgumentException e) {
            System.err.println("qat: " + e.getMessage());
            System.exit(2);
            return;
        }
        Split train = Mnist.train(), test = Mnist.test();
        long start = System.nanoTime();
        List<SeedResult> results = new ArrayList<>();
        if (only == null) only = java.util.stream.LongStream.rangeClosed(1, seeds).toArray();
        for (long s : only) {
            results.add(run(train, test, s, recipe, bits, true));
            if (save != null) writeResults(java.nio.file.Path.of(save), results);
        }
        System.out.print(table(results));
        System.out.printf(Locale.ROOT, "%d seed(s), %s, %.0f s%n", only.length, recipe, (System.nanoTime() - start) / 1e9);
    }

    /** Trains one float model (seed s), its fair fine-tuned baseline, and measures PTQ and QAT at each bit width. */
    public static SeedResult run(Split train, Split test, long seed, int epochs, int qatEpochs, int[] bits, boolean log) {
        Recipe d = Recipe.defaults();
        return run(train, test, seed, new Recipe(d.sizes(), epochs, d.lrDecay(), qatEpochs, d.qatLr(), false), bits, log);
    }

    /**
     * As {@link #run(Split, Split, long, int, int, int[], boolean)} with a given {@link Recipe}.
     *
     * @throws IllegalArgumentException if the recipe's sizes do not start with 784 and end with 10 (MNIST)
     */
    public static SeedResult run(Split train, Split test, long seed, Recipe recipe, int[] bits, boolean log) {
        long[] sizes = recipe.sizes();
        if (sizes.length < 2 || sizes[0] != 784 || sizes[sizes.length - 1] != 10) {
            throw new IllegalArgumentException("QatBenchmark: expected MLP sizes 784,...,10 for MNIST, got "
                    + Arrays.toString(sizes));
        }
        int qatEpochs = recipe.qatEpochs();
        INDArray x = train.features(), y = train.labels();
        MLP model = trainFloat(train, seed, recipe);
        int[] labels = test.labelArray();
        double floatAcc = Metrics.accuracy(model.predict(test.features()), labels);
        double tunedAcc = Double.NaN;
        if (!recipe.ptqOnly()) {
            MLP tuned = copy(model);
            fineTune(tuned, x, y, qatEpochs, seed, recipe.qatLr());
            tunedAcc = Metrics.accuracy(tuned.predict(test.features()), labels);
        }
        if (log) {
            System.out.printf(Locale.ROOT, "seed %d: float %.2f%%, float fine-tuned with QAT's recipe %.2f%%%n", seed,
                    100 * floatAcc, 100 * tunedAcc);
        }
        INDArray calib = x.get(NDArrayIndex.interval(0, 2000), NDArrayIndex.all()).dup();
        int n = bits.length;
        double[] ptq = new double[n], ptqMse = new double[n], qat = new double[n], ptqT = new double[n], qatT = new double[n];
        for (int k = 0; k < n; k++) {
            ptqMse[k] = Metrics.accuracy(QatMLP.from(model, bits[k], calib, true).predict(test.features()), labels);
            QatMLP q = QatMLP.from(model, bits[k], calib);
            ptq[k] = Metrics.accuracy(q.predict(test.features()), labels);
            QatMLP t = QatMLP.perTensorWeights(model, bits[k], calib);
            ptqT[k] = Metrics.accuracy(t.predict(test.features()), labels);
            qat[k] = Double.NaN;
            qatT[k] = Double.NaN;
            if (!recipe.ptqOnly()) {
                fineTune(q, x, y, qatEpochs, seed, recipe.qatLr());
                qat[k] = Metrics.accuracy(q.predict(test.features()), labels);
                fineTune(t, x, y, qatEpochs, seed, recipe.qatLr());
                qatT[k] = Metrics.accuracy(t.predict(test.features()), labels);
            }
            if (log) {
                System.out.printf(Locale.ROOT, "seed %d, %d bits: per-channel PTQ %.2f%% (MSE %.2f%%) QAT %.2f%%; "
                        + "per-tensor PTQ %.2f%% QAT %.2f%%%n", seed, bits[k], 100 * ptq[k], 100 * ptqMse[k],
                        100 * qat[k], 100 * ptqT[k], 100 * qatT[k]);
            }
        }
        return new SeedResult(seed, floatAcc, tunedAcc, bits.clone(), ptq, ptqMse, qat, ptqT, qatT);
    }

    /**
     * The float model of one seed: an MLP of the recipe's sizes (float32, initialized from {@code seed}) trained for
     * {@code recipe.epochs()} epochs with Adam from 1e-3, the rate multiplied by {@code recipe.lrDecay()} after every
     * epoch, batches of 128 shuffled from {@code seed}.
     */
    public static MLP trainFloat(Split train, long seed, Recipe recipe) {
        INDArray x = train.features(), y = train.labels();
        int batch = 128, perEpoch = (int) ((x.size(0) + batch - 1) / batch);
        MLP model = new MLP(recipe.sizes(), Activation.RELU, DataType.FLOAT, seed);
        TrainConfig cfg = TrainConfig.defaults().withSeed(seed).withProgress(false)
                .withSchedule(LrSchedule.step(1e-3, perEpoch, recipe.lrDecay()));
        new Trainer(model, Adam.adam(model.parameters(), 1e-3), cfg).fitEpochs(x, y, recipe.epochs(), batch,
                b -> Ops.crossEntropy(model.forward(b.x()), b.y()), null);
        return model;
    }

    /** Writes the results, one line per seed (space-separated numbers; read back by {@link #readResults}). */
    public static void writeResults(java.nio.file.Path file, List<SeedResult> rs) {
        StringBuilder sb = new StringBuilder();
        for (SeedResult r : rs) {
            sb.append(r.seed()).append(' ').append(r.floatAccuracy()).append(' ').append(r.fineTunedAccuracy())
                    .append(' ').append(r.bits().length);
            for (int k = 0; k < r.bits().length; k++) {
                sb.append(' ').append(r.bits()[k]).append(' ').append(r.ptq()[k]).append(' ').append(r.ptqMse()[k])
                        .append(' ').append(r.qat()[k]).append(' ').append(r.ptqTensor()[k]).append(' ')
                        .append(r.qatTensor()[k]);
            }
            sb.append('\n');
        }
        try {
            java.nio.file.Files.writeString(file, sb);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("QatBenchmark: could not write " + file, e);
        }
    }

    /** The results written by {@link #writeResults}. */
    public static List<SeedResult> readResults(java.nio.file.Path file) {
        List<SeedResult> out = new ArrayList<>();
        try {
            for (String line : java.nio.file.Files.readAllLines(file)) {
                if (line.isBlank()) continue;
                String[] t = line.trim().split(" ");
                int i = 0, n;
                long seed = Long.parseLong(t[i++]);
                double fl = Double.parseDouble(t[i++]), ft = Double.parseDouble(t[i++]);
                n = Integer.parseInt(t[i++]);
                int[] bits = new int[n];
                double[][] v = new double[5][n];
                for (int k = 0; k < n; k++) {
                    bits[k] = Integer.parseInt(t[i++]);
                    for (int c = 0; c < 5; c++) v[c][k] = Double.parseDouble(t[i++]);
                }
                out.add(new SeedResult(seed, fl, ft, bits, v[0], v[1], v[2], v[3], v[4]));
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("QatBenchmark: could not read results from " + file + ": " + e, e);
        }
        return out;
    }

    /** A float copy of the MLP (same sizes, activation, type and weights). */
    public static MLP copy(MLP model) {
        MLP c = new MLP(model.sizes(), model.activation(), model.dataType(), 0);
        var from = model.namedParameters();
        c.namedParameters().forEach((name, t) -> t.value().assign(from.get(name).value()));
        return c;
    }

    /**
     * The fine-tuning recipe of QAT in this benchmark and lesson 15, used as is for the fair float baseline: Adam at
     * 1e-4 (a tenth of the float run's start) with cosine decay to 5e-6, batch 128, {@code epochs} epochs through the
     * course Trainer, data order from seed + 1000.
     */
    public static <M extends Module & Layer> void fineTune(M model, INDArray x, INDArray y, int epochs, long seed) {
        fineTune(model, x, y, epochs, seed, 1e-4);
    }

    /** As {@link #fineTune(Module, INDArray, INDArray, int, long)} with peak learning rate {@code lr} (cosine to lr / 20). */
    public static <M extends Module & Layer> void fineTune(M model, INDArray x, INDArray y, int epochs, long seed, double lr) {
        int batch = 128, steps = epochs * (int) ((x.size(0) + batch - 1) / batch);
        TrainConfig cfg = TrainConfig.defaults().withSeed(seed + 1000).withProgress(false)
                .withSchedule(LrSchedule.cosineWithWarmup(lr, 1, Math.max(steps, 2), lr / 20));
        new Trainer(model, Adam.adam(model.parameters(), lr), cfg).fitEpochs(x, y, epochs, batch,
                b -> Ops.crossEntropy(model.forward(Tensor.of(b.x())), b.y()), null);
    }

    /**
     * The same recipe for a number of steps (lesson 15's default run): Adam at 1e-4 with cosine decay over
     * {@code steps} to 5e-6, batches of 128 from one shuffled epoch (seed + 1000, cycled if steps exceed it); the
     * training loss logged every {@code logEvery} steps (0: only at the end).
     *
     * @return the Trainer's history (the training curve)
     */
    public static <M extends Module & Layer> org.bigmodels.train.History fineTuneSteps(M model, INDArray x, INDArray y,
                                                                                        int steps, long seed, int logEvery) {
        return fineTuneSteps(model, x, y, steps, seed, logEvery, 1e-4);
    }

    /** As {@link #fineTuneSteps(Module, INDArray, INDArray, int, long, int)} with peak learning rate {@code lr}. */
    public static <M extends Module & Layer> org.bigmodels.train.History fineTuneSteps(M model, INDArray x, INDArray y,
                                                                                        int steps, long seed, int logEvery,
                                                                                        double lr) {
        TrainConfig cfg = TrainConfig.defaults().withSeed(seed + 1000).withProgress(false).withLogEvery(logEvery > 0 ? logEvery : Math.max(steps, 1))
                .withSchedule(LrSchedule.cosineWithWarmup(lr, 1, Math.max(steps, 2), lr / 20));
        List<org.bigmodels.train.Batch> batches = org.bigmodels.train.Batches.epoch(x, y, 128, seed + 1000, 0);
        return new Trainer(model, Adam.adam(model.parameters(), lr), cfg).fitSteps(steps,
                i -> batches.get(i % batches.size()), b -> Ops.crossEntropy(model.forward(Tensor.of(b.x())), b.y()), null);
    }

    /** The mean over the seeds; NaN if the value was not measured (QAT and the baseline of a {@code --ptq-only} run). */
    private static double mean(List<SeedResult> rs, java.util.function.ToDoubleFunction<SeedResult> f) {
        List<Double> v = rs.stream().map(r -> f.applyAsDouble(r)).toList();
        return v.stream().anyMatch(d -> d.isNaN()) ? Double.NaN : Stats.mean(v);
    }

    /**
     * The table: per bit width, mean accuracy over the seeds of PTQ and QAT in both settings, the points each loses
     * against float, and QAT's points against the fair baseline (float fine-tuned with QAT's recipe; negative = QAT
     * better).
     */
    public static String table(List<SeedResult> results) {
        StringBuilder sb = new StringBuilder();
        int[] bits = results.get(0).bits();
        double fl = mean(results, SeedResult::floatAccuracy), ft = mean(results, SeedResult::fineTunedAccuracy);
        sb.append(String.format(Locale.ROOT, "float32: %.2f%%; float fine-tuned with QAT's recipe (fair baseline): %.2f%% "
                + "(mean of %d seeds)%n", 100 * fl, 100 * ft, results.size()));
        sb.append(String.format(Locale.ROOT, "%4s | %7s %7s %7s %8s %8s | %8s %8s %8s %8s | %9s %9s%n", "bits",
                "PTQc %", "MSEc %", "QATc %", "PTQt %", "QATt %", "PTQc-lost", "QATc-lost", "PTQt-lost", "QATt-lost",
                "QATc-vsFT", "QATt-vsFT"));
        for (int k = 0; k < bits.length; k++) {
            final int kk = k;
            double p = mean(results, r -> r.ptq()[kk]), m = mean(results, r -> r.ptqMse()[kk]);
            double q = mean(results, r -> r.qat()[kk]), pt = mean(results, r -> r.ptqTensor()[kk]);
            double qt = mean(results, r -> r.qatTensor()[kk]);
            sb.append(String.format(Locale.ROOT, "%4d | %7.2f %7.2f %7.2f %8.2f %8.2f | %9.2f %9.2f %9.2f %9.2f | %9.2f %9.2f%n",
                    bits[k], 100 * p, 100 * m, 100 * q, 100 * pt, 100 * qt, 100 * (fl - p), 100 * (fl - q),
                    100 * (fl - pt), 100 * (fl - qt), 100 * (ft - q), 100 * (ft - qt)));
        }
        sb.append("c = per-channel weights, t = per-tensor weights (activations per tensor at the same bits in both); "
                + "lost = points below float; vsFT = points below the fair baseline\n");
        return sb.toString();
    }
}
