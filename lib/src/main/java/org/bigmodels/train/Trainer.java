package org.bigmodels.train;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.GradClip;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.progress.Progress;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training loop, written once: for each batch, forward to a loss, check it is finite, backward, (clip), step;
 * log the loss, evaluate now and then, show progress. Two ways to feed it: epochs over arrays in memory
 * ({@link #fitEpochs}) or a number of steps from a batch source ({@link #fitSteps}, for sampled text windows).
 * Repeatable: the seed fixes the shuffling and ND4J's generator (dropout). Taught in 03-mlp-mnist.
 */
public final class Trainer {

    /** The loss of a batch (a scalar tensor that depends on the model's parameters). */
    @FunctionalInterface
    public interface Objective {
        Tensor loss(Batch batch);
    }

    private final Module model;
    private final Optimizer optimizer;
    private final TrainConfig config;
    private final Arena arena = new Arena();
    private int step;

    public Trainer(Module model, Optimizer optimizer, TrainConfig config) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
    }

    /**
     * {@code epochs} passes over (x, y) in shuffled batches. {@code evaluate} (may be null) returns named metrics;
     * it runs in evaluation mode without gradients at the end of each epoch (and every evalEvery steps if set).
     */
    public History fitEpochs(org.nd4j.linalg.api.ndarray.INDArray x, org.nd4j.linalg.api.ndarray.INDArray y,
                             int epochs, int batchSize, Objective objective,
                             java.util.function.Supplier<Map<String, Double>> evaluate) {
        History history = new History();
        long start = System.nanoTime();
        Nd4j.getRandom().setSeed(config.seed());
        for (int epoch = 0; epoch < epochs; epoch++) {
            List<Batch> batches = Batches.epoch(x, y, batchSize, config.seed(), epoch);
            final int e = epoch;
            runSteps(batches.size(), i -> batches.get(i), objective, evaluate, history, start, e,
                    "epoch " + (epoch + 1) + "/" + epochs);
        }
        return history;
    }

    /** {@code steps} steps on batches drawn from {@code source} (given the step number). */
    public History fitSteps(int steps, IntFunction<Batch> source, Objective objective,
                            java.util.function.Supplier<Map<String, Double>> evaluate) {
        History history = new History();
        Nd4j.getRandom().setSeed(config.seed());
        runSteps(steps, source, objective, evaluate, history, System.nanoTime(), 0, "training");
        return history;
    }

    private void runSteps(int n, IntFunction<Batch> source, Objective objective,
                          java.util.function.Supplier<Map<String, Double>> evaluate, History history, long start,
                          int epoch, String label) {
        try (Progress progress = config.progress() ? Progress.of(label, n) : null) {
            for (int i = 0; i < n; i++) {
                if (config.schedule() != null) optimizer.setLearningRate(config.schedule().at(step));
                model.train(true);
                double value;
                // one step's arrays are reused by the next (see Arena): nothing below may keep an array
                try (Arena scope = arena.open()) {
                    optimizer.zeroGrad();
                    Tensor loss = objective.loss(source.apply(i));
                    value = loss.item();
                    if (!Double.isFinite(value)) {
                        throw new TrainingDivergedException(step, "the loss is " + value, optimizer.learningRate());
                    }
                    loss.backward();
                    if (config.clipNorm() > 0) {
                        double norm = GradClip.clipNorm(optimizer.parameters(), config.clipNorm());
                        if (!Double.isFinite(norm)) {
                            throw new TrainingDivergedException(step, "the gradient norm is " + norm, optimizer.learningRate());
                        }
                    }
                    optimizer.step();
                }
                boolean last = i == n - 1;
                boolean evalNow = evaluate != null && (last || (config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0));
                if (evalNow || step % config.logEvery() == 0 || last) {
                    Map<String, Double> metrics = evalNow ? evaluateQuietly(evaluate) : Map.of();
                    history.record(step, epoch, value, optimizer.learningRate(), (System.nanoTime() - start) / 1e9, metrics);
                }
                if (progress != null) {
                    progress.set("loss", value);
                    progress.step();
                }
                step++;
            }
        }
    }

    private Map<String, Double> evaluateQuietly(java.util.function.Supplier<Map<String, Double>> evaluate) {
        model.train(false);
        try (var off = Tensor.noGrad()) {
            return evaluate.get();
        } finally {
            model.train(true);
        }
    }

    /** The arena that recycles each step's arrays (its size shows what one step needs). */
    public Arena arena() {
        return arena;
    }

    /** Steps taken so far by this trainer. */
    public int step() {
        return step;
    }

    /** Applies {@code f} to batches of x in evaluation mode without gradients (predictions for a metric). */
    public static <T> T inference(Module model, Function<Module, T> f) {
        boolean was = model.isTraining();
        model.train(false);
        try (var off = Tensor.noGrad()) {
            return f.apply(model);
        } finally {
            model.train(was);
        }
    }
}
