package org.bigmodels.optim;

/**
 * The learning rate as a function of the step (0-based). Taught in 03-mlp-mnist (step decay) and 04-tiny-gpt
 * (cosine with warmup, as used to train GPT-style models).
 */
@FunctionalInterface
public interface LrSchedule {
    double at(int step);

    static LrSchedule constant(double lr) {
        return step -> lr;
    }

    /** lr · gamma^(step / every): divide by 1/gamma every {@code every} steps. */
    static LrSchedule step(double lr, int every, double gamma) {
        if (every <= 0) throw new IllegalArgumentException("LrSchedule.step: every must be positive, got " + every);
        return step -> lr * Math.pow(gamma, step / every);
    }

    /**
     * Linear warmup from 0 to {@code lr} over {@code warmup} steps, then a cosine decay to {@code minLr} at
     * {@code total} steps, and {@code minLr} after.
     */
    static LrSchedule cosineWithWarmup(double lr, int warmup, int total, double minLr) {
        if (warmup < 0 || total <= warmup) {
            throw new IllegalArgumentException("LrSchedule.cosineWithWarmup: expected 0 <= warmup < total, got warmup="
                    + warmup + ", total=" + total);
        }
        return step -> {
            if (step < warmup) return lr * (step + 1) / warmup;
            if (step >= total) return minLr;
            double progress = (double) (step - warmup) / (total - warmup);
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
        };
    }
}
