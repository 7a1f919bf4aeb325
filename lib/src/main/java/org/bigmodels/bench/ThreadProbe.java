package org.bigmodels.bench;

import java.util.Locale;
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Gemm;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Flops;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures how fast this machine trains a small MLP with the thread count this process was started with
 * ({@code OMP_NUM_THREADS}). {@code ./course setup} runs it once per candidate thread count and keeps the fastest as
 * the course default, because the best choice depends on the machine: on a 2-vCPU cloud machine ND4J ran several
 * times slower with 2 OpenMP threads than with 1. Prints one line: {@code threads=N steps_per_second=X gflops=Y}.
 */
public final class ThreadProbe {
    private ThreadProbe() {}

    /**
     * Trains LeNet-300-100 (784-300-100-10, float32) with SGD on one fixed random batch of 128 for a set time after
     * 20 warm-up steps, and prints {@code threads=N steps_per_second=X gflops=Y direct_blas=B} (N is
     * {@code OMP_NUM_THREADS}, or {@code unset}; GFLOP/s from {@link Flops#trainingStep(MLP, long)}).
     *
     * @param args optionally the measuring time in seconds (default 1.5)
     * @throws NumberFormatException if {@code args[0]} is not a number
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.5;
        INDArray x = Nd4j.rand(DataType.FLOAT, 128, 784);
        INDArray y = Nd4j.createFromArray(new java.util.Random(1).ints(128, 0, 10).toArray());
        MLP model = MLP.of(784, 300, 100, 10);
        SGD sgd = new SGD(model.parameters(), 0.01);
        Arena arena = new Arena();
        Runnable step = () -> {
            try (Arena open = arena.open()) {
                sgd.zeroGrad();
                Tensor loss = Ops.crossEntropy(model.forward(x), y);
                loss.backward();
                sgd.step();
            }
        };
        for (int i = 0; i < 20; i++) step.run();
        int steps = 0;
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            step.run();
            steps++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double flopsPerStep = Flops.trainingStep(model, x.rows());
        String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
        System.out.printf(Locale.ROOT, "threads=%s steps_per_second=%.1f gflops=%.1f direct_blas=%s%n", threads,
                steps / elapsed, steps * flopsPerStep / elapsed / 1e9, Gemm.direct());
    }
}
