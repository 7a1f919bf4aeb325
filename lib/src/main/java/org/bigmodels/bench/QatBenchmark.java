package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.engine.Ops;
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
 * Accuracy vs bits for post-training quantization (PTQ) and quantization-aware training (QAT) of LeNet-300-100 on full
 * MNIST, mean of several seeds (the target of issue 12 and lesson 15: at 4 bits PTQ loses clearly more, QAT recovers
 * to within 0.5 points of float; the pattern of Krishnamoorthi 2018, figure 7, and MIT 6.5940's quantization lab).
 *
 * <p>Per seed: a float model trained with Adam (step decay); per bit width b: {@link QatMLP#from} (weights per
 * channel, activations per tensor, b bits each, min-max calibrated step sizes on 2,000 training images) evaluated as
 * is (PTQ; also with MSE-optimal calibration, a stronger PTQ, column PTQ-MSE), then fine-tuned with the course {@link Trainer} (LSQ step sizes learned with the weights, Adam, cosine decay)
 * and evaluated again (QAT). Accuracy on the 10,000 test images.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 nice mvn -q -o -f lib/pom.xml compile exec:java
 * -Dexec.mainClass=org.bigmodels.bench.QatBenchmark} (defaults: 3 seeds, 3 float epochs, 1 QAT epoch, bits 8..2);
 * options {@code --seeds n --epochs n --qat-epochs n --bits 8,4,2}.
 */
public final class QatBenchmark {
    private QatBenchmark() {}

    /** Accuracies of one seed: float, and per bit width PTQ and QAT. */
    public record SeedResult(long seed, double floatAccuracy, int[] bits, double[] ptq, double[] ptqMse, double[] qat) {}

    public static void main(String[] args) {
        int seeds = 3, epochs = 3, qatEpochs = 1;
        int[] bits = {8, 7, 6, 5, 4, 3, 2};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--qat-epochs" -> qatEpochs = Integer.parseInt(args[++i]);
                case "--bits" -> bits = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> {
                    System.out.println("options: --seeds n (3) --epochs n (3) --qat-epochs n (1) --bits 8,7,...,2");
                    return;
                }
            }
        }
        Split train = Mnist.train(), test = Mnist.test();
        long start = System.nanoTime();
        List<SeedResult> results = new ArrayList<>();
        for (int s = 1; s <= seeds; s++) {
            results.add(run(train, test, s, epochs, qatEpochs, bits, true));
        }
        System.out.print(table(results));
        System.out.printf(Locale.ROOT, "%d seeds, %d float epochs, %d QAT epoch(s), %.0f s%n", seeds, epochs, qatEpochs,
                (System.nanoTime() - start) / 1e9);
    }

    /** Trains one float model (seed s) and measures PTQ and QAT at each bit width. */
    public static SeedResult run(Split train, Split test, long seed, int epochs, int qatEpochs, int[] bits, boolean log) {
        INDArray x = train.features(), y = train.labels();
        int batch = 128, perEpoch = (int) ((x.size(0) + batch - 1) / batch);
        MLP model = new MLP(new long[] {784, 300, 100, 10}, Activation.RELU, DataType.FLOAT, seed);
        TrainConfig cfg = TrainConfig.defaults().withSeed(seed).withProgress(false)
                .withSchedule(LrSchedule.step(1e-3, perEpoch, 0.7));
        new Trainer(model, Adam.adam(model.parameters(), 1e-3), cfg).fitEpochs(x, y, epochs, batch,
                b -> Ops.crossEntropy(model.forward(b.x()), b.y()), null);
        int[] labels = test.labelArray();
        double floatAcc = Metrics.accuracy(model.predict(test.features()), labels);
        INDArray calib = x.get(NDArrayIndex.interval(0, 2000), NDArrayIndex.all()).dup();
        double[] ptq = new double[bits.length], ptqMse = new double[bits.length], qat = new double[bits.length];
        for (int k = 0; k < bits.length; k++) {
            ptqMse[k] = Metrics.accuracy(QatMLP.from(model, bits[k], calib, true).predict(test.features()), labels);
            QatMLP q = QatMLP.from(model, bits[k], calib);
            ptq[k] = Metrics.accuracy(q.predict(test.features()), labels);
            fineTune(q, x, y, qatEpochs, seed);
            qat[k] = Metrics.accuracy(q.predict(test.features()), labels);
            if (log) {
                System.out.printf(Locale.ROOT, "seed %d: float %.2f%%, %d bits: PTQ %.2f%% (MSE-calibrated %.2f%%), QAT %.2f%%%n",
                        seed, 100 * floatAcc, bits[k], 100 * ptq[k], 100 * ptqMse[k], 100 * qat[k]);
            }
        }
        return new SeedResult(seed, floatAcc, bits.clone(), ptq, ptqMse, qat);
    }

    /**
     * The QAT recipe of this benchmark and of lesson 15: Adam at 1e-4 (a tenth of the float run's start) with cosine
     * decay, batch 128, {@code epochs} epochs through the course Trainer.
     */
    public static void fineTune(QatMLP q, INDArray x, INDArray y, int epochs, long seed) {
        int batch = 128, steps = epochs * (int) ((x.size(0) + batch - 1) / batch);
        double lr = 1e-4;
        TrainConfig cfg = TrainConfig.defaults().withSeed(seed + 1000).withProgress(false)
                .withSchedule(LrSchedule.cosineWithWarmup(lr, 1, Math.max(steps, 2), lr / 20));
        new Trainer(q, Adam.adam(q.parameters(), lr), cfg).fitEpochs(x, y, epochs, batch,
                b -> Ops.crossEntropy(q.forward(b.x()), b.y()), null);
    }

    /** The table: per bit width, mean accuracy of float, PTQ and QAT over the seeds, and the points each loses. */
    public static String table(List<SeedResult> results) {
        StringBuilder sb = new StringBuilder();
        int[] bits = results.get(0).bits();
        double fl = Stats.mean(results.stream().map(SeedResult::floatAccuracy).toList());
        sb.append(String.format(Locale.ROOT, "float32: %.2f%% (mean of %d seeds)%n", 100 * fl, results.size()));
        sb.append(String.format(Locale.ROOT, "%5s %9s %9s %9s %11s %11s %11s%n", "bits", "PTQ %", "PTQ-MSE %", "QAT %",
                "PTQ loss pt", "MSE loss pt", "QAT loss pt"));
        for (int k = 0; k < bits.length; k++) {
            final int kk = k;
            double p = Stats.mean(results.stream().map(r -> r.ptq()[kk]).toList());
            double m = Stats.mean(results.stream().map(r -> r.ptqMse()[kk]).toList());
            double q = Stats.mean(results.stream().map(r -> r.qat()[kk]).toList());
            sb.append(String.format(Locale.ROOT, "%5d %9.2f %9.2f %9.2f %11.2f %11.2f %11.2f%n", bits[k], 100 * p, 100 * m,
                    100 * q, 100 * (fl - p), 100 * (fl - m), 100 * (fl - q)));
        }
        return sb.toString();
    }
}
