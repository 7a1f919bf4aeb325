package org.bigmodels.exercises.lesson16;

/**
 * Exercise 16.2 (lesson 16-distillation): the FitNets hint loss (Romero et al. 2015) with a learned projection, in
 * plain double arrays.
 *
 * <p>The student's hidden activations h_s [N, d_s] are projected by the regressor W [d_s, d_t], b [d_t] into the
 * teacher's hint space and compared with the teacher's activations h_t [N, d_t]:
 * <pre>
 *   L = mean over the N·d_t entries of (h_s W + b − h_t)²
 * </pre>
 * The library's version is {@code org.bigmodels.distill.HintLoss} (kind L2). Replace the {@code throw}s below with
 * your code, then run {@code ./course grade 16}.
 */
public final class HintRegression {
    private HintRegression() {
    }

    /**
     * The hint loss L.
     *
     * @throws IllegalArgumentException if W is not [d_s, d_t] for these activations, b is not [d_t], or the row
     *     counts differ
     */
    public static double loss(double[][] studentHidden, double[][] teacherHidden, double[][] w, double[] b) {
        throw new UnsupportedOperationException("not implemented yet: HintRegression.loss -- project the STUDENT "
                + "(h_s [N, d_s] times W [d_s, d_t], plus b) into the teacher's space, never the teacher into the "
                + "student's; average the squared differences over all N·d_t entries; check W's shape first");
    }

    /**
     * dL/dW [d_s, d_t], the gradient that trains the regressor: {@code (2 / (N d_t)) · h_sᵀ (h_s W + b − h_t)}.
     *
     * @throws IllegalArgumentException as {@link #loss}
     */
    public static double[][] gradientW(double[][] studentHidden, double[][] teacherHidden, double[][] w, double[] b) {
        throw new UnsupportedOperationException("not implemented yet: HintRegression.gradientW -- the residual "
                + "r = h_s W + b - h_t is [N, d_t]; dL/dW is h_s transposed times r, scaled by 2/(N·d_t); shape [d_s, d_t]");
    }
}
