package org.bigmodels.distill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Sequential;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.LrSchedule;
import org.bigmodels.train.Batches;
import org.bigmodels.train.Checkpoint;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MNIST experiment of Hinton et al. 2015 §3 as reusable steps, shared by 16-distillation and
 * {@code org.bigmodels.bench.DistillationBenchmark}: train a (dropout) teacher, compute its logits once, train a
 * student alone (cross-entropy) or distilled ({@link DistillationLoss}) with the same optimizer, schedule, epochs and
 * initial weights, and count test errors. All training goes through the course {@link Trainer}; only the objective
 * differs between the two students.
 */
public final class DistillationExperiment {
    private DistillationExperiment() {}

    /**
     * Trains {@code model} with Adam (learning rate {@code lr}, constant) for {@code epochs} epochs in batches of
     * {@code batch}, on the given objective. Shapes: x [N, 784]; y either the labels [N] (for {@link #crossEntropy}) or
     * the packed targets [N, 1 + C] of {@link DistillationLoss#packTargets} (for {@link #distillation}). Returns the
     * wall time in seconds.
     *
     * @throws org.bigmodels.train.TrainingDivergedException (from the Trainer) when the loss or the gradient norm stops
     *     being finite
     * @throws IllegalArgumentException when {@code epochs < 1}
     */
    public static double train(Sequential model, INDArray x, INDArray y, int epochs, int batch, double lr, long seed,
                               Trainer.Objective objective, boolean progress) {
        requireEpochs("train", epochs);
        long t0 = System.nanoTime();
        Trainer trainer = new Trainer(model, Adam.adam(model.parameters(), lr),
                TrainConfig.defaults().withSeed(seed).withProgress(progress).withLogEvery(1000));
        trainer.fitEpochs(x, y, epochs, batch, objective, null);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Trains {@code model} with Adam whose rate follows a cosine decay from {@code lr} to {@code lr / 100} over the
     * {@code epochs} epochs (no warmup), in batches of {@code batch}. Shapes as in {@link #train}: x [N, 784], y the
     * labels [N] or the packed targets [N, 1 + C]. The same schedule for every student keeps the comparison of a
     * student alone and distilled fair. Returns the wall time in seconds.
     *
     * @throws org.bigmodels.train.TrainingDivergedException (from the Trainer) when the loss or the gradient norm stops
     *     being finite
     * @throws IllegalArgumentException when {@code epochs < 1}
     */
    public static double trainCosine(Sequential model, INDArray x, INDArray y, int epochs, int batch, double lr,
                                     long seed, Trainer.Objective objective, boolean progress) {
        requireEpochs("trainCosine", epochs);
        long t0 = System.nanoTime();
        int total = Math.max(2, epochs * Batches.count(x.size(0), batch));
        Trainer trainer = new Trainer(model, Adam.adam(model.parameters(), lr),
                TrainConfig.defaults().withSeed(seed).withProgress(progress).withLogEvery(1000)
                        .withSchedule(LrSchedule.cosineWithWarmup(lr, 0, total, lr / 100)));
        trainer.fitEpochs(x, y, epochs, batch, objective, null);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The teacher of Hinton et al. 2015 §3 trained once: a ReLU MLP of {@code sizes} with dropout
     * ({@link DistillationModels#mlp}), trained by {@link #trainCosine} on (x, y) with cross-entropy, its weights kept
     * in {@code file} in the course {@link Checkpoint} format (CRC32-checked). When {@code file} exists it is loaded
     * instead of training (a damaged file is an error, see {@link Checkpoint#load}); name the file after every
     * setting given here (e.g. "teacher-2x1200-d0.2-0.5-n60000-e30-lr0.001-cos-s100.ckpt"), since the file does not
     * record them. Shapes: x [N, 784], y the labels [N].
     *
     * @return the teacher, in evaluation mode
     * @throws IllegalArgumentException from {@link Checkpoint#load} when the file holds other parameter names or shapes,
     *     and when {@code epochs < 1} with no file to load
     */
    public static Sequential teacher(Path file, long[] sizes, double inputDropout, double hiddenDropout, int epochs,
                                     double lr, long seed, INDArray x, INDArray y, boolean progress) {
        Sequential t = DistillationModels.mlp(sizes, inputDropout, hiddenDropout, seed);
        if (Files.isRegularFile(file)) {
            Checkpoint.load(t, file);
        } else {
            requireEpochs("teacher", epochs);
            trainCosine(t, x, y, epochs, 128, lr, seed, crossEntropy(t), progress);
            Checkpoint.save(t, file);
        }
        t.train(false);
        return t;
    }

    /**
     * A teacher in the recipe of Hinton et al. 2015 §3 (after Srivastava et al. 2014): a ReLU MLP of {@code sizes}
     * with dropout ({@link DistillationModels#mlp}), its inputs randomly translated by up to {@code maxShift} pixels at
     * every step ({@link RandomTranslation}), Adam with a cosine-decayed rate ({@code lr} to {@code lr / 100}) and the
     * max-norm constraint {@code maxNorm} on every unit's incoming weights ({@link MaxNorm}; 0 = none), batches of
     * 128, {@code epochs} epochs of (x, y). Kept in {@code file} like {@link #teacher} (loaded when it exists). When
     * {@code log} is not null, it is given (epoch, test errors on (xt, yt)) every {@code logEvery} epochs.
     *
     * @return the teacher, in evaluation mode
     * @throws IllegalArgumentException when {@code epochs < 1} with no file to load
     */
    public static Sequential teacherJittered(Path file, long[] sizes, double inputDropout, double hiddenDropout,
                                             int maxShift, double maxNorm, int epochs, double lr, long seed,
                                             INDArray x, INDArray y, INDArray xt, int[] yt, int logEvery,
                                             java.util.function.BiConsumer<Integer, Integer> log) {
        Sequential t = DistillationModels.mlp(sizes, inputDropout, hiddenDropout, seed);
        if (Files.isRegularFile(file)) {
            Checkpoint.load(t, file);
            t.train(false);
            return t;
        }
        requireEpochs("teacherJittered", epochs);
        RandomTranslation source = new RandomTranslation(x, y, maxShift, 128, seed);
        int perEpoch = source.stepsPerEpoch(), total = Math.max(2, epochs * perEpoch);
        org.bigmodels.optim.Optimizer opt = Adam.adam(t.parameters(), lr);
        if (maxNorm > 0) opt = new MaxNorm(opt, maxNorm);
        Trainer trainer = new Trainer(t, opt, TrainConfig.defaults().withSeed(seed).withProgress(false)
                .withLogEvery(1_000_000).withSchedule(LrSchedule.cosineWithWarmup(lr, 0, total, lr / 100)));
        Trainer.Objective ce = crossEntropy(t);
        for (int e = 1; e <= epochs; e++) {
            trainer.fitSteps(e * perEpoch, source, ce, null);
            if (log != null && logEvery > 0 && (e % logEvery == 0 || e == epochs)) {
                int errors = testErrors(t, xt, yt);
                t.train(true);
                log.accept(e, errors);
            }
        }
        Checkpoint.save(t, file);
        t.train(false);
        return t;
    }

    /**
     * The name of a {@link #teacherJittered} 2×1200 teacher (dropout 0.2/0.5, seed 100) trained on the first {@code n}
     * MNIST images: every setting of its training, used as its checkpoint's file name and as the key of its cached
     * logits ({@link TeacherOutputs#cached}; none are committed).
     */
    public static String jitteredTeacherName(int n, int epochs, double lr, int maxShift, double maxNorm) {
        return "teacher-2x1200-d0.2-0.5-shift" + maxShift + "-maxnorm" + maxNorm + "-n" + n + "-e" + epochs + "-lr" + lr
                + "-cos-s100";
    }

    /** The plain cross-entropy objective of a Sequential classifier on labelled batches. */
    public static Trainer.Objective crossEntropy(Sequential model) {
        return b -> org.bigmodels.engine.Ops.crossEntropy(model.forward(Tensor.of(b.x())), b.y());
    }

    /** The distillation objective of a Sequential student on packed targets ({@link DistillationLoss#packTargets}). */
    public static Trainer.Objective distillation(Sequential student, DistillationLoss loss) {
        return loss.objective(x -> student.forward(Tensor.of(x)));
    }

    /** A Sequential's logits for x, in evaluation mode, batched: a teacher function for {@link TeacherOutputs}. */
    public static Function<INDArray, INDArray> logitsOf(Sequential model) {
        return TeacherOutputs.ofModule(model, model::forward);
    }

    /** The number of rows of x whose largest logit is not the label (evaluation mode, batches of 2000). */
    public static int testErrors(Sequential model, INDArray x, int[] labels) {
        INDArray z = TeacherOutputs.compute(logitsOf(model), x, 2000);
        int[] pred = z.argMax(1).toIntVector();
        int errors = 0;
        for (int i = 0; i < labels.length; i++) if (pred[i] != labels[i]) errors++;
        return errors;
    }

    /**
     * @throws IllegalArgumentException when {@code epochs < 1}: no training would leave the model at its random
     *     initial weights (and a teacher would be saved, untrained, under its checkpoint name)
     */
    private static void requireEpochs(String method, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("DistillationExperiment." + method + ": expected epochs >= 1, got "
                    + epochs + " (fewer would leave the model at its random initial weights)");
        }
    }
}
