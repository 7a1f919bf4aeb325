package org.bigmodels.train;

/**
 * Training produced a loss or gradient that is NaN or infinite. Raised at the step where it happened, with what was
 * seen, which parameter's gradient (when one is to blame) and what usually fixes it, instead of training on silently
 * with NaN weights.
 */
public class TrainingDivergedException extends RuntimeException {
    private final int step;
    private final String parameter;

    /** Divergence seen in the loss (no parameter to name). */
    public TrainingDivergedException(int step, String what, double lr) {
        this(step, what, lr, null);
    }

    /** Divergence seen in the gradient of {@code parameter} (its dotted path in the model, or "#index"). */
    public TrainingDivergedException(int step, String what, double lr, String parameter) {
        super("training diverged at step " + step + ": " + what
                + (parameter != null ? " (parameter " + parameter + ")" : "") + " (learning rate " + lr + "). "
                + "Try a smaller learning rate (e.g. " + lr / 10 + "), gradient clipping (clipNorm 1.0), "
                + "or check the inputs for NaN and their scale (normalise them to about [0, 1] or mean 0, std 1).");
        this.step = step;
        this.parameter = parameter;
    }

    /** The 0-based step at which the loss or gradient stopped being finite. */
    public int step() {
        return step;
    }

    /** The parameter whose gradient was not finite (dotted path, or "#index"), or null when the loss was. */
    public String parameter() {
        return parameter;
    }
}
