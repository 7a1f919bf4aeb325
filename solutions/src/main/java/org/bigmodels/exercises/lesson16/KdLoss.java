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
        check(student, teacher, labels, temperature, alpha);
        int n = student.length;
        double soft = 0, hard = 0;
        for (int i = 0; i < n; i++) {
            double[] ls = logSoftmax(student[i], temperature), lt = logSoftmax(teacher[i], temperature);
            for (int j = 0; j < ls.length; j++) {
                double pt = Math.exp(lt[j]);
                if (pt > 0) soft += pt * (lt[j] - ls[j]);
            }
            hard -= logSoftmax(student[i], 1)[labels[i]];
        }
        return (alpha * temperature * temperature * soft + (1 - alpha) * hard) / n;
    }

    /**
     * dL/dz_s [N, C]: per row {@code alpha · T · (p_s − p_t) + (1 − alpha) · (softmax(z_s) − onehot(y))}, divided by
     * N (derive it: d KL / d z_s = (p_s − p_t) / T).
     *
     * @throws IllegalArgumentException as {@link #loss}
     */
    public static double[][] gradient(double[][] student, double[][] teacher, int[] labels, double temperature,
                                      double alpha) {
        check(student, teacher, labels, temperature, alpha);
        int n = student.length;
        double[][] g = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] ls = logSoftmax(student[i], temperature), lt = logSoftmax(teacher[i], temperature);
            double[] l1 = logSoftmax(student[i], 1);
            g[i] = new double[ls.length];
            for (int j = 0; j < ls.length; j++) {
                double hard = Math.exp(l1[j]) - (j == labels[i] ? 1 : 0);
                g[i][j] = (alpha * temperature * (Math.exp(ls[j]) - Math.exp(lt[j])) + (1 - alpha) * hard) / n;
            }
        }
        return g;
    }

    private static double[] logSoftmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v / t);
        double sum = 0;
        for (double v : z) sum += Math.exp(v / t - max);
        double logZ = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int j = 0; j < z.length; j++) out[j] = z[j] / t - logZ;
        return out;
    }

    private static void check(double[][] s, double[][] t, int[] y, double temperature, double alpha) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("KdLoss: expected a finite temperature > 0, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("KdLoss: expected alpha in [0, 1], got " + alpha);
        if (s.length == 0 || s.length != t.length || s.length != y.length) {
            throw new IllegalArgumentException("KdLoss: expected as many teacher rows and labels as student rows (>= 1)");
        }
        for (int i = 0; i < s.length; i++) {
            if (s[i].length != t[i].length) {
                throw new IllegalArgumentException("KdLoss: row " + i + ": the student has " + s[i].length
                        + " classes, the teacher " + t[i].length);
            }
            if (y[i] < 0 || y[i] >= s[i].length) throw new IllegalArgumentException("KdLoss: label " + y[i] + " out of range");
        }
    }
}
