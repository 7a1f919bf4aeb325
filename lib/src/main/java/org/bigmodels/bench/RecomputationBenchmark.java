package org.bigmodels.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import org.bigmodels.display.Format;
import org.bigmodels.engine.Tensor;
import org.bigmodels.memory.ActivationCheckpoint;
import org.bigmodels.memory.MemoryAccount;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.Layer;
import org.bigmodels.optim.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation recomputation (Chen et al. 2016; {@link ActivationCheckpoint}) on the GPT of 04-tiny-gpt: the time of a
 * training step (forward, backward, AdamW) with every block checkpointed against the plain step, and the bytes of
 * activations the autograd graph holds at the end of forward ({@link MemoryAccount#activationBytes}), for the
 * lesson's 2 × 64 model and a 4 × 128 one. The two variants are alternated step by step on one thread (one BLAS
 * thread), and each ratio is the median of the per-pair ratios, so a busy machine slows both alike.
 *
 * <p>The FLOP model: forward ≈ 2N and backward ≈ 4N FLOPs per token, so recomputing every block's forward once adds
 * about a third (ratio ≈ 4/3 when the blocks hold most of the work); the measured ratio is above it where the
 * non-matmul work (layer norm, softmax, GELU) weighs more than its FLOPs.
 *
 * <p>Run: {@code ./course bench recompute [--steps 30]}. Not a unit test: its times depend on the machine's load.
 */
public final class RecomputationBenchmark {
    private RecomputationBenchmark() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One configuration's figures: median ms per step (thread CPU), the ratio, activation bytes without/with. */
    record Result(String name, double plainMs, double checkpointMs, double ratio, long plainBytes, long checkpointBytes) {
    }

    static Result measure(String name, GPTConfig config, int batch, int steps) {
        GPT model = new GPT(config);
        Adam adam = Adam.adamW(model.parameters(), 1e-3, 0.1);
        Random rng = new Random(7);
        int t = config.blockSize();
        INDArray ids = Nd4j.create(DataType.INT64, batch, t);
        INDArray targets = Nd4j.create(DataType.INT64, batch, t);
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < t; j++) {
                ids.putScalar(i, j, rng.nextInt(config.vocabSize()));
                targets.putScalar(i, j, rng.nextInt(config.vocabSize()));
            }
        }
        Function<Block, Layer> plain = b -> b;
        Function<Block, Layer> checkpointed = ActivationCheckpoint::new;
        long[] bytes = new long[2];
        for (int k = 0; k < 2; k++) {
            adam.zeroGrad();
            Tensor loss = ActivationCheckpoint.gptLoss(model, ids, targets, k == 0 ? plain : checkpointed);
            bytes[k] = MemoryAccount.activationBytes(loss);
            loss.backward();
            adam.step();
        }
        for (int i = 0; i < 5; i++) {   // warm-up: JIT, arenas
            step(model, adam, ids, targets, plain);
            step(model, adam, ids, targets, checkpointed);
        }
        List<Double> plainMs = new ArrayList<>();
        List<Double> ckptMs = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            double a;
            double b;
            if (i % 2 == 0) {
                a = step(model, adam, ids, targets, plain);
                b = step(model, adam, ids, targets, checkpointed);
            } else {
                b = step(model, adam, ids, targets, checkpointed);
                a = step(model, adam, ids, targets, plain);
            }
            plainMs.add(a);
            ckptMs.add(b);
            ratios.add(b / a);
        }
        return new Result(name, DataParallelBenchmark.median(plainMs), DataParallelBenchmark.median(ckptMs),
                DataParallelBenchmark.median(ratios), bytes[0], bytes[1]);
    }

    /** One training step; thread CPU milliseconds. */
    static double step(GPT model, Adam adam, INDArray ids, INDArray targets, Function<Block, Layer> how) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        adam.zeroGrad();
        ActivationCheckpoint.gptLoss(model, ids, targets, how).backward();
        adam.step();
        return (THREADS.getCurrentThreadCpuTime() - t0) / 1e6;
    }

    static final String USAGE = "[--steps N (30): timed step pairs per model]";

    /** Entry point: {@link #USAGE}. */
    public static void main(String[] args) {
        int steps = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("RecomputationBenchmark: unknown option " + args[i]
                        + "; expected " + USAGE);
            }
        }
        if (steps < 1) {
            throw new IllegalArgumentException("RecomputationBenchmark: expected --steps >= 1, got " + steps);
        }
        LeNetBenchmark.setThreads(1);
        System.out.println("# activation recomputation (every block checkpointed) vs the plain step: forward, backward, "
                + "AdamW; thread CPU time, 1 BLAS thread, variants alternated, medians over " + steps + " pairs");
        List<Result> results = List.of(
                measure("GPT 2x64, ctx 32, batch 16 (lesson 04)",
                        GPTConfig.tiny(65).withNLayer(2).withNEmbd(64, 4).withBlockSize(32).withDropout(0), 16, steps),
                measure("GPT 4x128, ctx 64, batch 12",
                        GPTConfig.tiny(65).withNLayer(4).withNEmbd(128, 4).withBlockSize(64).withDropout(0), 12, steps));
        System.out.printf(Locale.ROOT, "%-40s %12s %12s %8s %14s %14s %8s%n", "model", "plain ms", "recompute ms",
                "ratio", "activations", "with recomp.", "kept");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-40s %12.2f %12.2f %7.2fx %14s %14s %7.0f%%%n", r.name(), r.plainMs(),
                    r.checkpointMs(), r.ratio(), Format.bytes(r.plainBytes()), Format.bytes(r.checkpointBytes()),
                    100.0 * r.checkpointBytes() / r.plainBytes());
        }
        System.out.println("# FLOP model: one extra forward of every block, about 4/3 = 1.33x the step");
    }
}
