package org.bigmodels.exercises.lesson16;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.bigmodels.grading.Graded;
import org.junit.jupiter.api.Test;

/**
 * Graded tests for exercises 16.1 and 16.2. References: the soft term written another way (cross-entropy with the
 * soft targets minus their entropy), plain loops, and central finite differences of the learner's own loss.
 */
class DistillationExercisesTest {
    static double[][] rand(Random r, int n, int c, double scale) {
        double[][] a = new double[n][c];
        for (double[] row : a) for (int j = 0; j < c; j++) row[j] = scale * r.nextGaussian();
        return a;
    }

    static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double[] p = new double[z.length];
        double s = 0;
        for (int j = 0; j < z.length; j++) s += p[j] = Math.exp((z[j] - max) / t);
        for (int j = 0; j < z.length; j++) p[j] /= s;
        return p;
    }

    /** The soft term's mean KL with the student softened at ts and the teacher at tt (CE(p_t, p_s) - H(p_t)). */
    static double kl(double[][] s, double[][] t, double ts, double tt) {
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            double[] ps = softmax(s[i], ts), pt = softmax(t[i], tt);
            for (int j = 0; j < ps.length; j++) sum += -pt[j] * Math.log(ps[j]) + (pt[j] > 0 ? pt[j] * Math.log(pt[j]) : 0);
        }
        return sum / s.length;
    }

    static double ce(double[][] s, int[] y, double t) {
        double sum = 0;
        for (int i = 0; i < s.length; i++) sum -= Math.log(softmax(s[i], t)[y[i]]);
        return sum / s.length;
    }

    @Test
    @Graded(id = "16.1", points = 3, title = "The KD loss with temperature (T² scaling) and its gradient")
    void kdLoss() {
        Random r = new Random(16);
        double[][] s = rand(r, 5, 6, 2), t = rand(r, 5, 6, 3);
        int[] y = {0, 5, 2, 2, 3};
        double temp = 4, alpha = 0.7;
        double got = KdLoss.loss(s, t, y, temp, alpha);
        double hard = ce(s, y, 1);
        double expected = alpha * temp * temp * kl(s, t, temp, temp) + (1 - alpha) * hard;
        if (Math.abs(got - (alpha * kl(s, t, temp, temp) + (1 - alpha) * hard)) < 1e-9) {
            fail("forgot the T² factor on the soft term: at T = 4 its gradient would be 16 times too small");
        }
        if (Math.abs(got - (alpha * temp * temp * kl(s, t, temp, 1) + (1 - alpha) * hard)) < 1e-9) {
            fail("softened only the student: the teacher's probabilities must use the same temperature T");
        }
        if (Math.abs(got - (alpha * temp * temp * kl(s, t, 1, temp) + (1 - alpha) * hard)) < 1e-9) {
            fail("softened only the teacher: the student's probabilities must use the same temperature T");
        }
        if (Math.abs(got - (alpha * temp * temp * kl(s, t, temp, temp) + (1 - alpha) * ce(s, y, temp))) < 1e-9) {
            fail("the hard-label term must use the ordinary softmax (T = 1), not temperature T");
        }
        if (Math.abs(got - ((1 - alpha) * temp * temp * kl(s, t, temp, temp) + alpha * hard)) < 1e-9) {
            fail("swapped the weights: alpha weighs the soft (teacher) term, 1 - alpha the hard-label term");
        }
        assertEquals(expected, got, 1e-9 * Math.max(1, Math.abs(expected)), "alpha·T²·KL(p_t||p_s) + (1-alpha)·CE");
        assertEquals(ce(s, y, 1), KdLoss.loss(s, t, y, 1, 0), 1e-9, "at T = 1, alpha = 0 it is plain cross-entropy");
        assertEquals(0, KdLoss.loss(t, t, y, 3, 1), 1e-9, "a student equal to its teacher has zero soft loss (use KL, "
                + "not the cross-entropy with the soft targets, which keeps their entropy)");
        double confident = KdLoss.loss(new double[][] {{1e4, 0, -1e4}}, new double[][] {{-1e4, 1e4, 0}}, new int[] {2}, 1, 0.5);
        assertTrue(Double.isFinite(confident), "logits 1e4 apart must give a finite loss (subtract the row maximum), got " + confident);

        double[][] g = KdLoss.gradient(s, t, y, temp, alpha);
        assertEquals(5, g.length, "the gradient has the student's shape [N, C]");
        double h = 1e-5;
        double[][] fd = new double[5][6];
        for (int i = 0; i < 5; i++) for (int j = 0; j < 6; j++) {
            double old = s[i][j];
            s[i][j] = old + h;
            double up = alpha * temp * temp * kl(s, t, temp, temp) + (1 - alpha) * ce(s, y, 1);
            s[i][j] = old - h;
            double down = alpha * temp * temp * kl(s, t, temp, temp) + (1 - alpha) * ce(s, y, 1);
            s[i][j] = old;
            fd[i][j] = (up - down) / (2 * h);
        }
        double ratio = g[0][0] / fd[0][0];
        if (Math.abs(g[0][0] * 5 - fd[0][0]) < 1e-6 && Math.abs(fd[0][0]) > 1e-4) {
            fail("forgot to divide the gradient by N (the loss is a mean over rows)");
        }
        for (int i = 0; i < 5; i++) for (int j = 0; j < 6; j++) {
            assertEquals(fd[i][j], g[i][j], 1e-6, "gradient at (" + i + "," + j + ") vs finite differences (ratio at "
                    + "(0,0): " + ratio + "; the soft part is alpha·T·(p_s - p_t)/N: T² times (p_s - p_t)/T)");
        }
        assertThrows(IllegalArgumentException.class, () -> KdLoss.loss(s, t, y, 0, 0.5), "T = 0 must be refused");
        assertThrows(IllegalArgumentException.class, () -> KdLoss.loss(s, t, y, 2, 1.5), "alpha = 1.5 must be refused");
        assertThrows(IllegalArgumentException.class, () -> KdLoss.loss(s, rand(r, 5, 7, 1), y, 2, 0.5),
                "a teacher with 7 classes for a student with 6 must be refused");
    }

    static double hintRef(double[][] hs, double[][] ht, double[][] w, double[] b) {
        double sum = 0;
        for (int i = 0; i < hs.length; i++) for (int j = 0; j < b.length; j++) {
            double p = b[j];
            for (int k = 0; k < hs[i].length; k++) p += hs[i][k] * w[k][j];
            sum += (p - ht[i][j]) * (p - ht[i][j]);
        }
        return sum / (hs.length * (double) b.length);
    }

    @Test
    @Graded(id = "16.2", points = 2, title = "The hint (FitNets) loss with a projection from student to teacher")
    void hintLoss() {
        Random r = new Random(162);
        // square widths first: every orientation computes, only the right one is right
        double[][] hs = rand(r, 4, 3, 1), ht = rand(r, 4, 3, 1), w = rand(r, 3, 3, 1);
        double[] b = {0.1, -0.2, 0.3};
        double got = HintRegression.loss(hs, ht, w, b);
        double[][] wt = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) wt[i][j] = w[j][i];
        if (Math.abs(got - hintRef(ht, hs, w, b)) < 1e-12) {
            fail("projected the teacher onto the student: the regressor maps the STUDENT's h_s into the teacher's space");
        }
        if (Math.abs(got - hintRef(hs, ht, wt, b)) < 1e-12) {
            fail("used W transposed: h_s [N, d_s] times W [d_s, d_t], W's rows index the student's features");
        }
        assertEquals(hintRef(hs, ht, w, b), got, 1e-12, "mean over N·d_t entries of (h_s W + b - h_t)²");

        // a thin student (d_s = 2) guided by a wide teacher (d_t = 5)
        double[][] s2 = rand(r, 6, 2, 1), t5 = rand(r, 6, 5, 1), w25 = rand(r, 2, 5, 1);
        double[] b5 = new double[5];
        assertEquals(hintRef(s2, t5, w25, b5), HintRegression.loss(s2, t5, w25, b5), 1e-12, "d_s = 2, d_t = 5");
        double[][] g = HintRegression.gradientW(s2, t5, w25, b5);
        assertEquals(2, g.length, "dL/dW has W's shape [d_s, d_t] = [2, 5]");
        assertEquals(5, g[0].length, "dL/dW has W's shape [d_s, d_t] = [2, 5]");
        for (int k = 0; k < 2; k++) for (int j = 0; j < 5; j++) {
            double old = w25[k][j], h = 1e-6;
            w25[k][j] = old + h;
            double up = hintRef(s2, t5, w25, b5);
            w25[k][j] = old - h;
            double down = hintRef(s2, t5, w25, b5);
            w25[k][j] = old;
            assertEquals((up - down) / (2 * h), g[k][j], 1e-7, "dL/dW[" + k + "][" + j + "] vs finite differences "
                    + "(the mean is over N·d_t entries: 2/(N·d_t))");
        }
        double[][] w52 = rand(r, 5, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> HintRegression.loss(s2, t5, w52, b5),
                "W [d_t, d_s] = [5, 2] is the wrong direction and must be refused with a clear error");
    }
}
