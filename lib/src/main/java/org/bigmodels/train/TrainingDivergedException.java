package org.bigmodels.train;

/**
 * Training produced a loss or gradient that is NaN or infinite. Raised at the step where it happened, with what was
 * seen and what usually fixes it, instead of training on silently with NaN weights.
 */
public class TrainingDivergedException extends RuntimeException {
    private final int step;

    public TrainingDivergedException(int step, String what, double lr) {
        super("training diverged at step " + step + ": " + what + " (learning rate " + lr + "). "
                + "Try a smaller learning rate (e.g. " + lr / 10 + "), gradient clipping (clipNorm 1.0), "
                + "or check the inputs for NaN and their scale (normalise them to about [0, 1] or mean 0, std 1).");
        this.step = step;
    }

    /** The 0-based step at which the loss or gradient stopped being finite. */
    public int step() {
        return step;
    }
}
