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
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Gemm;
import org.bigmodels.engine.Ops;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Structured vs unstructured pruning, measured side by side in one run: inference time of LeNet-300-100 at batch 64
 * and batch 1 (dense; 50 % of each hidden layer's neurons physically removed; the dense model with the same number of
 * weights zeroed by magnitude, which dense kernels still multiply; and the bare matrix products of both shapes, the
 * ceiling without any per-op cost) and of a small GPT (a quarter of each block's heads and MLP channels removed,
 * tokens/s of inference), with the accuracy (validation loss for the GPT) before pruning, right after and after
 * fine-tuning. Structured pruning follows Li et al. 2017 (L1 of each neuron's weights) and Michel et al. 2019 (heads).
 *
 * <p>How it measures: one BLAS/OpenMP thread (launch with {@code OMP_NUM_THREADS=1}; the pools are also resized),
 * every forward pass inside an {@link Arena} of its own (as a serving loop would: without one, each op allocates a
 * new native array, a fixed cost of tens of microseconds that hides the smaller model's gain), a warm-up, then rounds
 * in which the variants alternate; each round gives a ratio to the dense model, and the medians of the per-round
 * ratios are reported, so a busy machine slows the variants alike.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -q -o -f lib/pom.xml compile exec:java
 * -Dexec.mainClass=org.bigmodels.bench.StructuredPruningBenchmark} (default, under a minute: 12,000 MNIST images,
 * 2 epochs, a 2-block GPT trained 200 steps; {@code -Dexec.args="--full"}: 60,000 images, 3 epochs, a 4-block GPT
 * trained 1,500 steps, more timing rounds).
 */
public final class StructuredPruningBenchmark {
    private StructuredPruningBenchmark() {}

    /**
     * Times of alternating rounds: {@code millis[v][r]} is the mean time in milliseconds of one call of variant
     * {@code v} in round {@code r}.
     */
    public record Rounds(double[][] millis) {
        /** The median over rounds of variant v's time per call (ms). */
        public double median(int v) {
            return StructuredPruningBenchmark.median(millis[v]);
        }

        /** The median over rounds of the per-round ratio time(base) / time(v): the speedup of v over base. */
        public double speedup(int base, int v) {
            double[] r = new double[millis[v].length];
            for (int i = 0; i < r.length; i++) r[i] = millis[base][i] / millis[v][i];
            return StructuredPruningBenchmark.median(r);
        }
    }

    /**
     * Runs every variant {@code reps} times untimed (warm-up: JIT, arenas), then {@code rounds} rounds each running
     * variant 0, 1, 2, ... {@code reps} times in turn.
     *
     * @throws IllegalArgumentException if rounds or reps is below 1 or no variant is given
     */
    public static Rounds alternate(int rounds, int reps, Runnable... variants) {
        if (rounds < 1 || reps < 1 || variants.length == 0) {
            throw new IllegalArgumentException("alternate: expected rounds >= 1, reps >= 1 and a variant, got rounds "
                    + rounds + ", reps " + reps + ", " + variants.length + " variants");
        }
        for (int w = 0; w < 2; w++) for (Runnable v : variants) for (int r = 0; r < reps; r++) v.run();
        double[][] t = new double[variants.length][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < variants.length; i++) {
                long s = System.nanoTime();
                for (int r = 0; r < reps; r++) variants[i].run();
                t[i][round] = (System.nanoTime() - s) / 1e6 / reps;
            }
        }
        return new Rounds(t);
    }

    /** The median time in milliseconds of each variant, from {@link #alternate}. */
    public static double[] medianMillis(int rounds, int reps, Runnable... variants) {
        Rounds r = alternate(rounds, reps, variants);
        double[] med = new double[variants.length];
        for (int i = 0; i < med.length; i++) med[i] = r.median(i);
        return med;
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /**
     * One BLAS/OpenMP thread for this process (the pools resized; launching with {@code OMP_NUM_THREADS=1} is
     * surer). Timings on a shared machine with several threads per op measure the waiting for other processes.
     */
    public static void oneThread() {
        LeNetBenchmark.setThreads(1);
    }

    /** An inference call of the MLP on x: no graph recorded, results from an {@link Arena} of its own. */
    public static Runnable inference(MLP m, INDArray x) {
        Arena arena = new Arena();
        return () -> {
            arena.open();
            try (var off = Tensor.noGrad()) {
                m.forward(x).value();
            } finally {
                arena.close();
            }
        };
    }

    /** An inference call of the GPT on token ids [B, T]: no graph recorded, results from an Arena of its own. */
    public static Runnable inference(PrunedGpt m, INDArray ids) {
        Arena arena = new Arena();
        return () -> {
            arena.open();
            m.train(false);
            try (var off = Tensor.noGrad()) {
                m.forward(ids).value();
            } finally {
                arena.close();
            }
        };
    }

    /**
     * The bare matrix products of an MLP's forward pass at x's batch size, into preallocated results (no bias, no
     * activation, no graph): the ceiling a forward pass of these shapes can reach on this BLAS.
     */
    public static Runnable matmuls(MLP m, INDArray x) {
        List<INDArray> ws = new ArrayList<>();
        List<INDArray> outs = new ArrayList<>();
        for (var l : m.linears()) {
            ws.add(l.weight().value());
            outs.add(Nd4j.create(x.dataType(), x.size(0), l.out()));
        }
        return () -> {
            INDArray h = x;
            for (int i = 0; i < ws.size(); i++) {
                Gemm.mm(h, false, ws.get(i), false, outs.get(i), 1.0, 0.0);
                h = outs.get(i);
            }
        };
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

    public static void main(String[] args) {
        boolean full = List.of(args).contains("--full");
        oneThread();
        long t0 = System.nanoTime();
        System.out.println("# structured vs unstructured pruning, float32, 1 BLAS/OpenMP thread (OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + "), medians of per-round ratios" + (full ? ", --full" : ""));
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
        double flopRatio = (double) dense.parameterCount() / pruned.parameterCount();
        System.out.printf("LeNet-300-100 %s -> %s, %d -> %d parameters (FLOP ratio %.2fx); unstructured: %.1f%% of "
                        + "the weights zeroed%n", Arrays.toString(dense.sizes()), Arrays.toString(pruned.sizes()),
                dense.parameterCount(), pruned.parameterCount(), flopRatio, 100 * sparsity);
        System.out.println("| batch | dense ms | structured ms | unstructured ms | structured speedup | "
                + "unstructured speedup | bare matmuls speedup |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int batch : new int[] {64, 1}) {
            INDArray x = test.features().get(NDArrayIndex.interval(0, batch), NDArrayIndex.all()).dup('c');
            int reps = batch == 64 ? 20 : 200;
            Rounds r = alternate(full ? 41 : 21, reps, inference(dense, x), inference(pruned, x),
                    inference(sparse, x), matmuls(dense, x), matmuls(pruned, x));
            System.out.printf("| %d | %.3f | %.3f | %.3f | %.2fx | %.2fx | %.2fx (%.3f vs %.3f ms) |%n", batch,
                    r.median(0), r.median(1), r.median(2), r.speedup(0, 1), r.speedup(0, 2), r.speedup(3, 4),
                    r.median(3), r.median(4));
        }
        System.out.printf("test accuracy: dense %.2f%%, 50%% neurons removed %.2f%%, after 1 epoch of fine-tuning "
                + "%.2f%% (cost %.2f points)%n", 100 * accDense, 100 * accPruned, 100 * accTuned,
                100 * (accDense - accTuned));

        // ---------------------------------------------------------------- GPT
        String text = TinyShakespeare.text();
        CharTokenizer tok = CharTokenizer.fit(text);
        TextBatches data = new TextBatches(tok.encode(text));
        GPTConfig cfg = GPTConfig.tiny(tok.vocabSize()).withNLayer(full ? 4 : 2);
        PrunedGpt gpt = PrunedGpt.of(new GPT(cfg));
        trainGpt(gpt, data, full ? 1500 : 200, 1e-3, 16, 1);
        double lossDense = valLoss(gpt, data, 8, 16);
        Batch probe = data.batch(16, cfg.blockSize(), new Random(3));
        PrunedGpt small = GptPruner.prune(gpt, 0.25, 0.25, Importance.TAYLOR, probe);
        double lossPruned = valLoss(small, data, 8, 16);
        trainGpt(small, data, full ? 300 : 60, 5e-4, 16, 2);
        double lossTuned = valLoss(small, data, 8, 16);
        PrunedGpt gsparse = unstructured(gpt, 0.25); // a quarter of every block matrix's weights zeroed by magnitude
        INDArray ids = data.valBatch(16, cfg.blockSize(), new Random(5)).x();
        Rounds g = alternate(full ? 21 : 11, 3, inference(gpt, ids), inference(small, ids), inference(gsparse, ids));
        double tokens = 16.0 * cfg.blockSize();
        System.out.printf("GPT (%d blocks, C=%d, %d heads), inference at batch 16x%d: heads %s, MLP widths %s, "
                        + "parameters %d -> %d%n", cfg.nLayer(), cfg.nEmbd(), cfg.nHead(), cfg.blockSize(),
                Arrays.toString(small.heads()), Arrays.toString(small.mlpWidths()), gpt.parameterCount(),
                small.parameterCount());
        System.out.println("| GPT | tokens/s | speedup | validation loss (nats/token) |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| dense | %.0f | 1.00x | %.3f |%n", tokens / g.median(0) * 1e3, lossDense);
        System.out.printf("| 1/4 heads+channels removed | %.0f | %.2fx | %.3f pruned, %.3f fine-tuned |%n",
                tokens / g.median(1) * 1e3, g.speedup(0, 1), lossPruned, lossTuned);
        System.out.printf("| 25%% block weights zeroed | %.0f | %.2fx | |%n", tokens / g.median(2) * 1e3,
                g.speedup(0, 2));
        System.out.printf("total %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
