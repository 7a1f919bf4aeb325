package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.data.TinyShakespeare;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.SGD;
import org.bigmodels.prune.structured.GptPruner;
import org.bigmodels.prune.structured.Importance;
import org.bigmodels.prune.structured.NeuronPruner;
import org.bigmodels.prune.structured.PrunedGpt;
import org.bigmodels.text.CharTokenizer;
import org.bigmodels.text.TextBatches;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Metrics;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.bigmodels.engine.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Structured vs unstructured pruning, measured side by side in one run: inference time of LeNet-300-100 at batch 64
 * (dense; 50 % of each hidden layer's neurons physically removed; the dense model with the same number of weights
 * zeroed by magnitude, which dense kernels still multiply) and of a small GPT (a quarter of each block's heads and
 * MLP channels removed, tokens/s), with the accuracy (validation loss for the GPT) before pruning, right after and
 * after fine-tuning. The variants alternate round by round and the medians are compared, so a busy machine slows
 * them alike. Structured pruning follows Li et al. 2017 (L1 of each neuron's weights) and Michel et al. 2019 (heads).
 *
 * <p>Run: {@code mvn -q -o -f lib/pom.xml compile exec:java
 * -Dexec.mainClass=org.bigmodels.bench.StructuredPruningBenchmark -Dexec.args="--full"} (default: a quick run on
 * 12,000 MNIST images and 300 GPT steps; {@code --full}: all 60,000 images, 3 epochs, 1,500 GPT steps).
 */
public final class StructuredPruningBenchmark {
    private StructuredPruningBenchmark() {}

    /**
     * The median time in milliseconds of each variant: {@code rounds} rounds, each running every variant
     * {@code reps} times in turn (variant 0, 1, 2, then again), after one untimed warm-up round.
     */
    public static double[] medianMillis(int rounds, int reps, Runnable... variants) {
        for (Runnable v : variants) for (int r = 0; r < reps; r++) v.run();
        double[][] t = new double[variants.length][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < variants.length; i++) {
                long s = System.nanoTime();
                for (int r = 0; r < reps; r++) variants[i].run();
                t[i][round] = (System.nanoTime() - s) / 1e6 / reps;
            }
        }
        double[] med = new double[variants.length];
        for (int i = 0; i < med.length; i++) {
            Arrays.sort(t[i]);
            med[i] = t[i][rounds / 2];
        }
        return med;
    }

    /** Zeroes, in place, the fraction {@code sparsity} of smallest-magnitude entries of {@code w} (unstructured). */
    public static void zeroSmallest(INDArray w, double sparsity) {
        int k = (int) Math.round(sparsity * w.length());
        if (k == 0) return;
        INDArray flat = org.nd4j.linalg.ops.transforms.Transforms.abs(w.dup('c').reshape(w.length()), false);
        double[] a = flat.toDoubleVector();
        Arrays.sort(a);
        double threshold = a[k - 1];
        w.assign(w.mul(org.nd4j.linalg.ops.transforms.Transforms.abs(w, true).gt(threshold).castTo(w.dataType())));
    }

    /** A copy of the MLP with, in every weight matrix, the fraction {@code sparsity} of smallest weights zeroed. */
    public static MLP unstructured(MLP mlp, double sparsity) {
        MLP c = NeuronPruner.copy(mlp);
        c.linears().forEach(l -> zeroSmallest(l.weight().value(), sparsity));
        return c;
    }

    /** A copy of the GPT with the fraction {@code sparsity} of smallest weights of every block matrix zeroed. */
    public static PrunedGpt unstructured(PrunedGpt gpt, double sparsity) {
        PrunedGpt c = gpt.copy();
        c.namedParameters().forEach((n, p) -> {
            if (n.startsWith("blocks.") && n.endsWith("weight") && p.rank() == 2) zeroSmallest(p.value(), sparsity);
        });
        return c;
    }

    /** Test accuracy of an MLP. */
    public static double accuracy(MLP m, Split test) {
        return Metrics.accuracy(m.predict(test.features()), test.labelArray());
    }

    /** Mean validation loss (nats/token) of a PrunedGpt over {@code batches} fixed batches (seeded). */
    public static double valLoss(PrunedGpt m, TextBatches data, int batches, int batchSize) {
        Random rng = new Random(7);
        double sum = 0;
        m.train(false);
        try (var off = Tensor.noGrad()) {
            for (int i = 0; i < batches; i++) {
                Batch b = data.valBatch(batchSize, m.config().blockSize(), rng);
                sum += m.loss(b.x(), b.y()).item();
            }
        }
        m.train(true);
        return sum / batches;
    }

    /** Trains a PrunedGpt for {@code steps} AdamW steps on random training windows. */
    public static void trainGpt(PrunedGpt m, TextBatches data, int steps, double lr, int batchSize, long seed) {
        Random rng = new Random(seed);
        new Trainer(m, Adam.adamW(m.parameters(), lr, 0.0), TrainConfig.defaults().withProgress(false))
                .fitSteps(steps, s -> data.batch(batchSize, m.config().blockSize(), rng),
                        b -> m.loss(b.x(), b.y()), null);
    }

    /** Trains an MLP for {@code epochs} epochs of SGD with momentum (batch 64). */
    public static void trainMlp(MLP m, Split train, int epochs, double lr) {
        new Trainer(m, new SGD(m.parameters(), lr, 0.9, 0), TrainConfig.defaults().withProgress(false))
                .fitEpochs(train.features(), train.labels(), epochs, 64, b -> Ops.crossEntropy(m.forward(b.x()), b.y()),
                        null);
    }

    private static Runnable mlpForward(MLP m, INDArray x) {
        return () -> {
            try (var off = Tensor.noGrad()) {
                m.forward(x).value();
            }
        };
    }

    private static Runnable gptForward(PrunedGpt m, INDArray ids) {
        return () -> {
            try (var off = Tensor.noGrad()) {
                m.forward(ids).value();
            }
        };
    }

    public static void main(String[] args) {
        boolean full = List.of(args).contains("--full");
        // ---------------------------------------------------------------- LeNet-300-100
        Split trainAll = Mnist.train(), test = Mnist.test();
        int n = full ? 60_000 : 12_000;
        Split train = new Split("train", trainAll.features().get(NDArrayIndex.interval(0, n), NDArrayIndex.all()),
                trainAll.labels().get(NDArrayIndex.interval(0, n)), 10);
        MLP dense = MLP.of(784, 300, 100, 10);
        trainMlp(dense, train, full ? 3 : 2, 0.05);
        double accDense = accuracy(dense, test);
        MLP pruned = NeuronPruner.prune(dense, Map.of("0", 0.5, "2", 0.5), Importance.L1, null, null);
        double accPruned = accuracy(pruned, test);
        trainMlp(pruned, train, 1, 0.02);
        double accTuned = accuracy(pruned, test);
        double sparsity = 1.0 - (double) pruned.parameterCount() / dense.parameterCount();
        MLP sparse = unstructured(dense, sparsity);
        INDArray x = test.features().get(NDArrayIndex.interval(0, 64), NDArrayIndex.all()).dup();
        double[] ms = medianMillis(full ? 21 : 11, 50, mlpForward(dense, x), mlpForward(pruned, x),
                mlpForward(sparse, x));
        System.out.printf("LeNet-300-100, batch 64 forward (median ms): dense %.3f, 50%% neurons removed %.3f, "
                + "%.0f%% weights zeroed %.3f%n", ms[0], ms[1], 100 * sparsity, ms[2]);
        System.out.printf("  structured speedup %.2fx (FLOPs ratio %.2fx), unstructured speedup %.2fx%n",
                ms[0] / ms[1], (double) dense.parameterCount() / pruned.parameterCount(), ms[0] / ms[2]);
        System.out.printf("  test accuracy: dense %.2f%%, pruned %.2f%%, after 1 epoch fine-tuning %.2f%% "
                + "(cost %.2f points)%n", 100 * accDense, 100 * accPruned, 100 * accTuned, 100 * (accDense - accTuned));

        // ---------------------------------------------------------------- GPT
        String text = TinyShakespeare.text();
        CharTokenizer tok = CharTokenizer.fit(text);
        TextBatches data = new TextBatches(tok.encode(text));
        GPTConfig cfg = GPTConfig.tiny(tok.vocabSize()).withNLayer(full ? 4 : 2);
        PrunedGpt gpt = PrunedGpt.of(new GPT(cfg));
        trainGpt(gpt, data, full ? 1500 : 300, 1e-3, 16, 1);
        double lossDense = valLoss(gpt, data, 8, 16);
        Batch probe = data.batch(16, cfg.blockSize(), new Random(3));
        PrunedGpt small = GptPruner.prune(gpt, 0.25, 0.25, Importance.TAYLOR, probe);
        double lossPruned = valLoss(small, data, 8, 16);
        trainGpt(small, data, full ? 300 : 100, 5e-4, 16, 2);
        double lossTuned = valLoss(small, data, 8, 16);
        double gptSparsity = 0.25; // a quarter of every block matrix's weights zeroed by magnitude
        PrunedGpt gsparse = unstructured(gpt, gptSparsity);
        INDArray ids = data.valBatch(16, cfg.blockSize(), new Random(5)).x();
        double[] gms = medianMillis(full ? 11 : 7, 5, gptForward(gpt, ids), gptForward(small, ids),
                gptForward(gsparse, ids));
        double tokens = 16.0 * cfg.blockSize();
        System.out.printf("GPT (%d blocks, C=%d), batch 16x%d forward, tokens/s: dense %.0f, 1/4 heads+channels "
                + "removed %.0f, 25%% block weights zeroed %.0f%n", cfg.nLayer(), cfg.nEmbd(), cfg.blockSize(),
                tokens / gms[0] * 1e3, tokens / gms[1] * 1e3, tokens / gms[2] * 1e3);
        System.out.printf("  structured speedup %.2fx, unstructured %.2fx; parameters %d -> %d%n",
                gms[0] / gms[1], gms[0] / gms[2], gpt.parameterCount(), small.parameterCount());
        System.out.printf("  validation loss: dense %.3f, pruned %.3f, after fine-tuning %.3f (cost %.3f nats)%n",
                lossDense, lossPruned, lossTuned, lossTuned - lossDense);
    }
}
