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
        double[][] r = residual(studentHidden, teacherHidden, w, b);
        double sum = 0;
        for (double[] row : r) for (double v : row) sum += v * v;
        return sum / (r.length * (double) b.length);
    }

    /**
     * dL/dW [d_s, d_t], the gradient that trains the regressor: {@code (2 / (N d_t)) · h_sᵀ (h_s W + b − h_t)}.
     *
     * @throws IllegalArgumentException as {@link #loss}
     */
    public static double[][] gradientW(double[][] studentHidden, double[][] teacherHidden, double[][] w, double[] b) {
        double[][] r = residual(studentHidden, teacherHidden, w, b);
        int n = r.length, ds = w.length, dt = b.length;
        double[][] g = new double[ds][dt];
        for (int i = 0; i < n; i++) for (int k = 0; k < ds; k++) for (int j = 0; j < dt; j++) {
            g[k][j] += 2 * studentHidden[i][k] * r[i][j] / (n * (double) dt);
        }
        return g;
    }

    private static double[][] residual(double[][] hs, double[][] ht, double[][] w, double[] b) {
        int n = hs.length;
        if (n == 0 || ht.length != n) throw new IllegalArgumentException("HintRegression: expected as many teacher rows as student rows (>= 1)");
        int ds = hs[0].length, dt = ht[0].length;
        if (w.length != ds || w[0].length != dt || b.length != dt) {
            throw new IllegalArgumentException("HintRegression: expected W [" + ds + ", " + dt + "] (student width to "
                    + "teacher width) and b [" + dt + "], got W [" + w.length + ", " + w[0].length + "], b [" + b.length + "]");
        }
        double[][] r = new double[n][dt];
        for (int i = 0; i < n; i++) for (int j = 0; j < dt; j++) {
            double p = b[j];
            for (int k = 0; k < ds; k++) p += hs[i][k] * w[k][j];
            r[i][j] = p - ht[i][j];
        }
        return r;
    }
}
