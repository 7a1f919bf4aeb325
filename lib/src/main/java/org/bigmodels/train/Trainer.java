package org.bigmodels.train;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.GradClip;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.progress.Progress;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training loop, written once: for each batch, forward to a loss, check it is finite, backward, (synchronise the
 * gradients with other replicas, {@link GradientSync}), check the gradients are finite (always, clipping or not), (clip),
 * step;
 * log the loss, evaluate now and then, show progress, (checkpoint). Two ways to feed it: epochs over arrays in memory
 * ({@link #fitEpochs}) or a number of steps from a batch source ({@link #fitSteps}, for sampled text windows). Taught
 * in 03-mlp-mnist.
 *
 * <p>Repeatable and resumable: everything random in a step is a function of (seed, global step): the example order of
 * epoch e is shuffled by (seed, e), ND4J's generator (dropout) is re-seeded from (seed, step) before every step, the
 * learning-rate schedule is read at the step, and {@link #fitSteps}'s batch source is given the global step. So a run
 * restored with {@link Checkpoint#loadTraining} (weights, optimizer state, step and seed) continues exactly as if it
 * had never stopped, bit for bit. The step counts are totals: {@code fitEpochs(..., 3, ...)} trains until 3 epochs
 * are done, so after a restore it runs only what is left.
 */
public final class Trainer {

    /**
     * The loss of a batch (a scalar tensor that depends on the model's parameters). Every array the engine makes
     * during a step comes from the trainer's {@link Arena} and is overwritten by the next step: a result kept across
     * steps (a teacher's soft targets computed once, a cached embedding) must be kept as {@code result.detach()},
     * a copy made outside the arena.
     */
    @FunctionalInterface
    public interface Objective {
        Tensor loss(Batch batch);
    }

    private final Module model;
    private final Optimizer optimizer;
    private final TrainConfig config;
    private final GradientSync gradientSync;
    private final Arena arena = new Arena();
    private int step;
    private long seed;
    /** The batch size and number of examples of the fitEpochs run at this step (-1: none yet); kept in checkpoints. */
    private long batchSize = -1, examples = -1;

    public Trainer(Module model, Optimizer optimizer, TrainConfig config) {
        this(model, optimizer, config, null);
    }

    /**
     * A trainer of one replica among several: {@code gradientSync} (null = none) runs between backward and the
     * update of every step (see {@link GradientSync}; data parallelism in org.bigmodels.dataparallel).
     */
    public Trainer(Module model, Optimizer optimizer, TrainConfig config, GradientSync gradientSync) {
        if (model == null || optimizer == null || config == null) {
            throw new IllegalArgumentException("Trainer: expected a model, an optimizer and a config, got "
                    + (model == null ? "no model" : optimizer == null ? "no optimizer" : "no config"));
        }
        checkOptimizerBelongsTo(model, optimizer);
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        this.gradientSync = gradientSync;
        this.seed = config.seed();
    }

    /**
     * Refuses an optimizer that updates tensors the model does not own (compared by identity): typically one built
     * for an earlier model, e.g. after re-running a notebook's model cell but not its optimizer cell. Training would
     * then run without error while the model never changes. An optimizer over a subset of the model's parameters
     * (frozen layers) is fine.
     */
    static void checkOptimizerBelongsTo(Module model, Optimizer optimizer) {
        java.util.Set<Tensor> own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        own.addAll(model.parameters());
        List<Tensor> params = optimizer.parameters();
        for (int i = 0; i < params.size(); i++) {
            if (!own.contains(params.get(i))) {
                Tensor p = params.get(i);
                throw new IllegalArgumentException("Trainer: the optimizer's parameter #" + i
                        + (p.name() != null ? " ('" + p.name() + "', shape " + java.util.Arrays.toString(p.shape()) + ")" : "")
                        + " is not one of this model's parameters, so training would never change the model. Build "
                        + "the optimizer from this model (e.g. Adam.adamW(model.parameters(), ...)); in a notebook, "
                        + "re-run the optimizer cell after the model cell.");
            }
        }
    }

    /**
     * Trains on (x, y) in shuffled batches until {@code epochs} epochs are done in total: a fresh trainer runs
     * {@code epochs} epochs; one restored from a checkpoint taken mid-epoch resumes at the next batch of that epoch.
     * {@code evaluate} (may be null) returns named metrics; it runs in evaluation mode without gradients at the end of
     * each epoch (and every evalEvery steps if set).
     *
     * @return the rows logged by this call
     * @throws TrainingDivergedException when the loss or the gradient norm stops being finite
     * @throws IllegalArgumentException when the run is past step 0 (resumed, or trained before) with another batch
     *     size or number of examples: its step would then mean another position in the data
     */
    public History fitEpochs(INDArray x, INDArray y, int epochs, int batchSize, Objective objective,
                             Supplier<Map<String, Double>> evaluate) {
        if (epochs < 0 || batchSize <= 0) {
            throw new IllegalArgumentException("fitEpochs: expected epochs >= 0 and batchSize > 0, got " + epochs
                    + " and " + batchSize);
        }
        if (step > 0 && this.batchSize >= 0 && (this.batchSize != batchSize || this.examples != x.size(0))) {
            throw new IllegalArgumentException("fitEpochs: this run is at step " + step + " of epochs of "
                    + this.examples + " examples in batches of " + this.batchSize + " (restored from a checkpoint or "
                    + "trained so far), but got " + x.size(0) + " examples in batches of " + batchSize + "; the step "
                    + "would mean another position in the data. Resume with the same data and batch size, or start "
                    + "a new trainer");
        }
        this.batchSize = batchSize;
        this.examples = x.size(0);
        int perEpoch = Batches.count(x.size(0), batchSize);
        long total = (long) epochs * perEpoch;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("fitEpochs: " + epochs + " epochs of " + perEpoch + " steps exceed "
                    + Integer.MAX_VALUE + " steps");
        }
        History history = new History();
        long start = System.nanoTime();
        while (step < total) {
            int epoch = step / perEpoch;
            int first = epoch * perEpoch;
            List<Batch> batches = Batches.epoch(x, y, batchSize, seed, epoch);
            runSteps(first + perEpoch, s -> batches.get(s - first), objective, evaluate, history, start, epoch,
                    "epoch " + (epoch + 1) + "/" + epochs);
        }
        return history;
    }

    /**
     * Trains until {@code steps} steps are done in total (on a fresh trainer, {@code steps} steps), on batches from
     * {@code source}, which is given the global (0-based) step: make the batch a function of it for a run that
     * resumes exactly after a restore.
     *
     * @return the rows logged by this call
     * @throws TrainingDivergedException when the loss or the gradient norm stops being finite
     */
    public History fitSteps(int steps, IntFunction<Batch> source, Objective objective,
                            Supplier<Map<String, Double>> evaluate) {
        if (steps < 0) throw new IllegalArgumentException("fitSteps: expected steps >= 0, got " + steps);
        History history = new History();
        runSteps(steps, source, objective, evaluate, history, System.nanoTime(), 0, "training");
        return history;
    }

    /** Runs global steps from the current one up to {@code end} (exclusive). */
    private void runSteps(int end, IntFunction<Batch> source, Objective objective, Supplier<Map<String, Double>> evaluate,
                          History history, long start, int epoch, String label) {
        if (step >= end) return;
        try (Progress progress = config.progress() ? Progress.of(label, end - step) : null) {
            while (step < end) {
                if (config.schedule() != null) {
                    double rate = config.schedule().at(step);
                    if (!(rate >= 0) || Double.isInfinite(rate)) {
                        throw new IllegalArgumentException("Trainer: the learning-rate schedule gave " + rate
                                + " at step " + step + "; expected a finite rate >= 0 (0 is allowed)");
                    }
                    optimizer.setLearningRate(rate);
                }
                Nd4j.getRandom().setSeed(stepSeed(seed, step)); // dropout of this step: the same after a restore
                model.train(true);
                double value;
                // one step's arrays are reused by the next (see Arena): nothing below may keep an array
                try (Arena scope = arena.open()) {
                    optimizer.zeroGrad();
                    if (gradientSync != null) gradientSync.beforeStep(step);
                    Tensor loss = objective.loss(source.apply(step));
                    value = loss.item();
                    if (!Double.isFinite(value)) {
                        throw new TrainingDivergedException(step, "the loss is " + value, optimizer.learningRate());
                    }
                    loss.backward();
                    if (gradientSync != null) gradientSync.synchronize(optimizer.parameters());
                    // always checked (one pass over the gradients, clipping or not): a NaN or infinite gradient
                    // stops here, before the update and so before any checkpoint of the diverged weights
                    double norm = config.clipNorm() > 0
                            ? GradClip.clipNorm(optimizer.parameters(), config.clipNorm())
                            : GradClip.globalNorm(optimizer.parameters());
                    if (!Double.isFinite(norm)) {
                        String name = parameterName(GradClip.firstNonFinite(optimizer.parameters()));
                        throw new TrainingDivergedException(step, "the gradient norm is " + norm
                                + " (a gradient holds NaN or infinity; nothing was clipped or updated)",
                                optimizer.learningRate(), name);
                    }
                    optimizer.step();
                }
                boolean last = step == end - 1;
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
                if (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) {
                    Checkpoint.saveTraining(config.checkpointFile(), this);
                }
            }
        }
    }

    /** The seed of ND4J's generator for a step: a mix of the run's seed and the step (SplitMix64's finaliser). */
    static long stepSeed(long seed, int step) {
        long z = seed * 0x9E3779B97F4A7C15L + step;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The model's dotted path of the optimizer's parameter {@code index}, else its own name, else "#index". */
    private String parameterName(int index) {
        if (index < 0) return null;
        Tensor p = optimizer.parameters().get(index);
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((n, t) -> names.put(t, n));
        String name = names.getOrDefault(p, p.name());
        return name != null ? name : "#" + index;
    }

    private Map<String, Double> evaluateQuietly(Supplier<Map<String, Double>> evaluate) {
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

    /** Steps taken so far (restored by {@link Checkpoint#loadTraining}): the global step of the next update. */
    public int step() {
        return step;
    }

    /** The seed of the shuffling and of dropout (the config's, or the one restored from a checkpoint). */
    public long seed() {
        return seed;
    }

    /** The model being trained (the one given to the constructor, updated in place). */
    public Module model() {
        return model;
    }

    /** The optimizer that updates the model's parameters (with its state, e.g. Adam's moments). */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The training configuration given to the constructor. */
    public TrainConfig config() {
        return config;
    }

    /** The gradient synchronisation between backward and the update, or null for a single worker. */
    public GradientSync gradientSync() {
        return gradientSync;
    }

    /** The batch size of the {@link #fitEpochs} run at this step, or -1 when there is none (fitSteps). */
    public long epochBatchSize() {
        return batchSize;
    }

    /** The number of examples of the {@link #fitEpochs} run at this step, or -1 when there is none (fitSteps). */
    public long epochExamples() {
        return examples;
    }

    /**
     * Moves the trainer to a restored position (used by {@link Checkpoint#loadTraining}); batchSize and examples are
     * those of the fitEpochs run that wrote it, or -1.
     */
    void restore(int step, long seed, long batchSize, long examples) {
        if (step < 0) throw new IllegalArgumentException("Trainer: a step must be >= 0, got " + step);
        this.step = step;
        this.seed = seed;
        this.batchSize = batchSize;
        this.examples = examples;
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
