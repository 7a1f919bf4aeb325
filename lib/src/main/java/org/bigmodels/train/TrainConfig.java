package org.bigmodels.train;

import java.nio.file.Path;
import org.bigmodels.optim.LrSchedule;

/**
 * How to train: the learning-rate schedule (null keeps the optimizer's rate), global gradient-norm clipping
 * (0 = off), how often to log the loss and to evaluate (in steps; evaluation also runs at the end of every epoch),
 * the seed of the shuffling and of dropout, whether to show progress, and where and how often to write a training
 * checkpoint (null / 0 = never; see {@link Checkpoint#saveTraining}). Immutable.
 */
public record TrainConfig(LrSchedule schedule, double clipNorm, int logEvery, int evalEvery, long seed,
                          boolean progress, Path checkpointFile, int checkpointEvery) {
    public TrainConfig {
        if (clipNorm < 0 || logEvery <= 0 || evalEvery < 0 || checkpointEvery < 0
                || (checkpointEvery > 0) != (checkpointFile != null)) {
            throw new IllegalArgumentException("TrainConfig: expected clipNorm >= 0, logEvery > 0, evalEvery >= 0, "
                    + "checkpointEvery >= 0 (> 0 exactly when a checkpoint file is given); got " + clipNorm + ", "
                    + logEvery + ", " + evalEvery + ", " + checkpointEvery + " with file " + checkpointFile);
        }
    }

    /** Without periodic checkpoints. */
    public TrainConfig(LrSchedule schedule, double clipNorm, int logEvery, int evalEvery, long seed, boolean progress) {
        this(schedule, clipNorm, logEvery, evalEvery, seed, progress, null, 0);
    }

    /** No schedule, no clipping, log every 50 steps, evaluate once per epoch, seed 42, progress on, no checkpoints. */
    public static TrainConfig defaults() {
        return new TrainConfig(null, 0, 50, 0, 42, true);
    }

    /** A copy with the learning-rate schedule {@code s} (null keeps the optimizer's own rate). */
    public TrainConfig withSchedule(LrSchedule s) {
        return new TrainConfig(s, clipNorm, logEvery, evalEvery, seed, progress, checkpointFile, checkpointEvery);
    }

    /**
     * A copy that clips the global gradient norm to {@code c} before every step (0 turns clipping off).
     *
     * @throws IllegalArgumentException when c &lt; 0
     */
    public TrainConfig withClipNorm(double c) {
        return new TrainConfig(schedule, c, logEvery, evalEvery, seed, progress, checkpointFile, checkpointEvery);
    }

    /**
     * A copy that logs the training loss every {@code n} steps.
     *
     * @throws IllegalArgumentException when n &lt;= 0
     */
    public TrainConfig withLogEvery(int n) {
        return new TrainConfig(schedule, clipNorm, n, evalEvery, seed, progress, checkpointFile, checkpointEvery);
    }

    /**
     * A copy that evaluates every {@code n} steps (0: only the evaluation at the end of every epoch and run).
     *
     * @throws IllegalArgumentException when n &lt; 0
     */
    public TrainConfig withEvalEvery(int n) {
        return new TrainConfig(schedule, clipNorm, logEvery, n, seed, progress, checkpointFile, checkpointEvery);
    }

    /** A copy with seed {@code s} for the shuffling and for dropout. */
    public TrainConfig withSeed(long s) {
        return new TrainConfig(schedule, clipNorm, logEvery, evalEvery, s, progress, checkpointFile, checkpointEvery);
    }

    /** A copy that shows (true) or hides (false) the progress display. */
    public TrainConfig withProgress(boolean on) {
        return new TrainConfig(schedule, clipNorm, logEvery, evalEvery, seed, on, checkpointFile, checkpointEvery);
    }

    /**
     * Writes a training checkpoint (model, optimizer state, trainer position) to {@code file} after every
     * {@code everySteps} steps, atomically, so a crashed run resumes with {@link Checkpoint#loadTraining}.
     */
    public TrainConfig withCheckpoint(Path file, int everySteps) {
        return new TrainConfig(schedule, clipNorm, logEvery, evalEvery, seed, progress, file, everySteps);
    }
}
