package org.bigmodels.train;

import org.bigmodels.optim.LrSchedule;

/**
 * How to train: the learning-rate schedule (null keeps the optimizer's rate), global gradient-norm clipping
 * (0 = off), how often to log the loss and to evaluate (in steps; evaluation also runs at the end of every epoch),
 * the seed of the shuffling and of dropout, and whether to show progress. Immutable.
 */
public record TrainConfig(LrSchedule schedule, double clipNorm, int logEvery, int evalEvery, long seed,
                          boolean progress) {
    public TrainConfig {
        if (clipNorm < 0 || logEvery <= 0 || evalEvery < 0) {
            throw new IllegalArgumentException("TrainConfig: expected clipNorm >= 0, logEvery > 0, evalEvery >= 0; got "
                    + clipNorm + ", " + logEvery + ", " + evalEvery);
        }
    }

    /** No schedule, no clipping, log every 50 steps, evaluate once per epoch, seed 42, progress on. */
    public static TrainConfig defaults() {
        return new TrainConfig(null, 0, 50, 0, 42, true);
    }

    public TrainConfig withSchedule(LrSchedule s) {
        return new TrainConfig(s, clipNorm, logEvery, evalEvery, seed, progress);
    }

    public TrainConfig withClipNorm(double c) {
        return new TrainConfig(schedule, c, logEvery, evalEvery, seed, progress);
    }

    public TrainConfig withLogEvery(int n) {
        return new TrainConfig(schedule, clipNorm, n, evalEvery, seed, progress);
    }

    public TrainConfig withEvalEvery(int n) {
        return new TrainConfig(schedule, clipNorm, logEvery, n, seed, progress);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(schedule, clipNorm, logEvery, evalEvery, s, progress);
    }

    public TrainConfig withProgress(boolean on) {
        return new TrainConfig(schedule, clipNorm, logEvery, evalEvery, seed, on);
    }
}
