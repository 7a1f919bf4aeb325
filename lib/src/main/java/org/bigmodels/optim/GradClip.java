package org.bigmodels.optim;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient clipping by global norm: if the L2 norm of all gradients together exceeds {@code maxNorm}, every gradient
 * is scaled by {@code maxNorm / norm}. Keeps one bad batch from throwing the weights far away.
 */
public final class GradClip {
    private GradClip() {}

    /** The global gradient norm before clipping (NaN if a gradient holds NaN; then nothing is scaled). */
    public static double clipNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipNorm: maxNorm must be positive, got " + maxNorm);
        double norm = globalNorm(params);
        if (norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            for (Tensor p : params) if (p.grad() != null) p.grad().muli(scale);
        }
        return norm;
    }

    /** sqrt(sum of squares of every gradient). */
    public static double globalNorm(List<Tensor> params) {
        double sq = 0;
        for (Tensor p : params) {
            INDArray g = p.grad();
            if (g != null) {
                double n = g.norm2Number().doubleValue();
                sq += n * n;
            }
        }
        return Math.sqrt(sq);
    }
}
