package org.bigmodels.exercises.lesson16;

/**
 * Exercise 16.1 (lesson 16-distillation): the knowledge-distillation loss of Hinton et al. 2015 and its gradient, in
 * plain double arrays.
 *
 * <p>For student logits z_s [N, C], teacher logits z_t [N, C] and labels y [N], with p = softmax(z / T) per row:
 * <pre>
 *   L = alpha · T² · mean_rows KL(p_t || p_s) + (1 − alpha) · mean_rows CE(softmax(z_s), y)
 * </pre>
 * (the hard-label term at temperature 1). The library's version is {@code org.bigmodels.distill.DistillationLoss}:
 * yours must agree with it. Replace the {@code throw}s below with your code, then run {@code ./course grade 16}.
 */
public final class KdLoss {
    private KdLoss() {
    }

    /**
     * The loss L.
     *
     * @throws IllegalArgumentException if T &lt;= 0 (or not finite), alpha is outside [0, 1], or the shapes differ
     */
    public static double loss(double[][] student, double[][] teacher, int[] labels, double temperature, double alpha) {
        throw new UnsupportedOperationException("not implemented yet: KdLoss.loss -- soften BOTH sides with the same "
                + "T (softmax(z/T), subtract the row maximum first), KL = sum p_t (log p_t - log p_s) with 0·log 0 = 0, "
                + "multiply the soft term by T² (else its gradient shrinks as 1/T²), and keep the hard term at T = 1; "
                + "average over the N rows");
    }

    /**
     * dL/dz_s [N, C]: per row {@code alpha · T · (p_s − p_t) + (1 − alpha) · (softmax(z_s) − onehot(y))}, divided by
     * N (derive it: d KL / d z_s = (p_s − p_t) / T).
     *
     * @throws IllegalArgumentException as {@link #loss}
     */
    public static double[][] gradient(double[][] student, double[][] teacher, int[] labels, double temperature,
                                      double alpha) {
        throw new UnsupportedOperationException("not implemented yet: KdLoss.gradient -- the soft part is T² times "
                + "(p_s - p_t)/T, the hard part softmax(z_s) - onehot(y), both divided by N; shape [N, C]");
    }
}
