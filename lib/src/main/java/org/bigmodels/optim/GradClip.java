package org.bigmodels.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient clipping by global norm (Pascanu, Mikolov and Bengio, "On the difficulty of training recurrent neural
 * networks", 2013, Algorithm 1): if the L2 norm of all gradients together exceeds {@code maxNorm}, every gradient is
 * scaled by {@code maxNorm / norm}. Keeps one bad batch from throwing the weights far away.
 *
 * <p>The norm is computed without overflow: float32 squares are summed in double (a float's square is below 1.2e77,
 * so no sum of them overflows a double), float64 gradients are scaled by their largest magnitude first (as LAPACK's
 * dnrm2 does). A non-finite norm (a gradient holding NaN or infinity) is returned as it is and nothing is scaled:
 * there is no finite factor that repairs such a gradient, so the caller must stop (the
 * {@link org.bigmodels.train.Trainer} raises its divergence error naming the step and the parameter, found with
 * {@link #firstNonFinite}).
 */
public final class GradClip {
    private GradClip() {}

    /**
     * Clips the gradients of {@code params} in place to global norm {@code maxNorm} and returns the norm before
     * clipping; when that norm is NaN or infinite, nothing is scaled.
     *
     * @throws IllegalArgumentException unless maxNorm &gt; 0
     */
    public static double clipNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipNorm: maxNorm must be positive, got " + maxNorm);
        double norm = globalNorm(params);
        if (Double.isFinite(norm) && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6); // in (0, 1): finite
            for (Tensor p : params) if (p.grad() != null) p.grad().muli(scale);
        }
        return norm;
    }

    /**
     * sqrt(sum of squares of every gradient), without overflow or underflow for finite gradients; NaN if a gradient
     * holds NaN, else +infinity if one holds an infinity. Parameters without a gradient count as 0.
     */
    public static double globalNorm(List<Tensor> params) {
        // running (scale, ssq) with norm = scale * sqrt(ssq), merged as in LAPACK's dnrm2
        double scale = 0, ssq = 1;
        boolean nan = false, inf = false;
        for (Tensor p : params) {
            INDArray g = p.grad();
            if (g == null) continue;
            double[] part = scaledSumOfSquares(g); // {scale, ssq} of this gradient, or {NaN|inf, ...}
            if (Double.isNaN(part[0])) nan = true;
            else if (Double.isInfinite(part[0])) inf = true;
            else if (part[0] > scale) {
                ssq = part[1] + ssq * (scale / part[0]) * (scale / part[0]);
                scale = part[0];
            } else if (part[0] > 0) {
                ssq += part[1] * (part[0] / scale) * (part[0] / scale);
            }
        }
        if (nan) return Double.NaN;
        if (inf) return Double.POSITIVE_INFINITY;
        return scale == 0 ? 0 : scale * Math.sqrt(ssq);
    }

    /**
     * The index in {@code params} of the first parameter whose gradient holds a NaN or an infinity, or -1 if all are
     * finite.
     */
    public static int firstNonFinite(List<Tensor> params) {
        for (int i = 0; i < params.size(); i++) {
            INDArray g = params.get(i).grad();
            if (g != null && !Double.isFinite(scaledSumOfSquares(g)[0])) return i;
        }
        return -1;
    }

    /**
     * {scale, ssq} with sum(g^2) = scale^2 * ssq: scale is the largest magnitude (float64) or sqrt of the double sum
     * of squares (float32, with ssq = 1). scale is NaN or infinite when g holds such a value.
     */
    private static double[] scaledSumOfSquares(INDArray g) {
        INDArray c = g.isView() || g.ordering() != 'c' ? g.dup('c') : g; // a plain array: its buffer is its elements
        int n = Math.toIntExact(c.length());
        if (c.dataType() == DataType.FLOAT) {
            FloatBuffer b = c.data().asNioFloat();
            // four partial sums: independent additions the CPU can overlap; NaN stays NaN, an infinity gives +infinity
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                double x0 = b.get(i), x1 = b.get(i + 1), x2 = b.get(i + 2), x3 = b.get(i + 3);
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
            }
            for (; i < n; i++) {
                double x = b.get(i);
                s0 += x * x;
            }
            return new double[] {Math.sqrt((s0 + s1) + (s2 + s3)), 1};
        }
        DoubleBuffer b = c.dataType() == DataType.DOUBLE ? c.data().asNioDouble()
                : DoubleBuffer.wrap(c.castTo(DataType.DOUBLE).data().asDouble());
        double max = 0;
        for (int i = 0; i < n; i++) {
            double x = Math.abs(b.get(i));
            if (x != x) return new double[] {Double.NaN, 1};
            if (x > max) max = x;
        }
        if (max == 0 || Double.isInfinite(max)) return new double[] {max, 1};
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = b.get(i) / max;
            sum += x * x;
        }
        return new double[] {max, sum};
    }
}
