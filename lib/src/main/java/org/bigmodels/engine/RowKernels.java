package org.bigmodels.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer norm and GELU as single Java loops over float arrays copied in bulk from the CPU backend's buffers: each
 * replaces a chain of 6 to 12 ND4J calls, every one a full pass over memory plus a fixed dispatch cost. Each method
 * states its plain formula; {@link Ops#layerNorm} and {@link Ops#gelu} keep the ND4J version of the same formula for
 * other backends and types, and {@code FusedKernelsTest} checks the two against each other.
 */
final class RowKernels {
    private RowKernels() {}

    /** Whether the float loops can run on these arrays (CPU backend, FLOAT, plain row-major, not views). */
    static boolean usable(INDArray... arrays) {
        if (!Gemm.direct()) return false;
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || !Gemm.isPlainRowMajor(a)
                    || a.length() >= Integer.MAX_VALUE) return false;
        }
        return true;
    }

    /**
     * {@code out[i, :] = row} for every row i of a plain FLOAT [m, n] (a linear layer's bias, before the product is
     * added on top): m bulk copies of the row. Returns false (nothing written) when the arrays are not usable.
     */
    static boolean fillRows(INDArray out, INDArray row) {
        if (!usable(out, row) || out.rank() != 2 || row.length() != out.size(1)) return false;
        float[] r = read(row);
        var buf = out.data().asNioFloat();
        buf.position(0);
        for (long i = 0, m = out.size(0); i < m; i++) buf.put(r);
        return true;
    }

    /** The elements of a plain FLOAT array, in a Java array from the open arena ({@link Arena#floats}). */
    static float[] read(INDArray a) {
        float[] v = Arena.floats((int) a.length());
        a.data().asNioFloat().get(v);
        return v;
    }

    /** Copies v into out's buffer from its start (out plain FLOAT with at least v.length elements); returns out. */
    /** {@link #read} into {@link Arena#scratch} slot {@code slot}: for an input read once and then dropped. */
    static float[] readScratch(int slot, INDArray a) {
        float[] v = Arena.scratch(slot, (int) a.length());
        a.data().asNioFloat().get(v);
        return v;
    }

    static INDArray write(float[] v, INDArray out) {
        out.data().asNioFloat().put(v, 0, Math.min(v.length, (int) out.length()));
        return out;
    }

    /**
     * Layer norm forward over rows of length c: {@code xhat = (x - mean) / sqrt(var + eps)},
     * {@code out = xhat * gamma + beta} (mean and biased variance of the row, in double). Fills xhat and rstd (one per
     * row) for the backward pass; returns out.
     */
    static float[] layerNormForward(float[] x, float[] gamma, float[] beta, double eps, int c, float[] xhat,
                                    float[] rstd) {
        float[] out = Arena.scratch(1, x.length); // written into an ND4J array by the caller at once
        for (int r = 0, base = 0; base < x.length; r++, base += c) {
            double mean = rowSum(x, base, c) / c, sq = rowSquaredDeviations(x, base, c, mean);
            float rs = (float) (1.0 / Math.sqrt(sq / c + eps)), m = (float) mean;
            rstd[r] = rs;
            for (int j = 0; j < c; j++) {
                float xh = (x[base + j] - m) * rs;
                xhat[base + j] = xh;
                out[base + j] = xh * gamma[j] + beta[j];
            }
        }
        return out;
    }

    /**
     * Layer norm backward: {@code dxhat = g * gamma}, {@code dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat *
     * xhat))} per row; {@code dgamma = sum over rows of g * xhat}, {@code dbeta = sum over rows of g} (added into the
     * given arrays). Returns dx.
     */
    static float[] layerNormBackward(float[] g, float[] xhat, float[] rstd, float[] gamma, int c, float[] dgamma,
                                     float[] dbeta) {
        float[] dx = Arena.scratch(1, g.length); // written into an ND4J array by the caller at once
        float[] dxhat = Arena.scratch(2, c);
        for (int r = 0, base = 0; base < g.length; r++, base += c) {
            // per element (vectorisable: no sum carried from one j to the next), then the two row sums
            for (int j = 0; j < c; j++) {
                float gj = g[base + j], xh = xhat[base + j];
                dxhat[j] = gj * gamma[j];
                dgamma[j] += gj * xh;
                dbeta[j] += gj;
            }
            double s1 = rowSum(dxhat, 0, c), s2 = rowDot(dxhat, 0, xhat, base, c);
            float m1 = (float) (s1 / c), m2 = (float) (s2 / c), rs = rstd[r];
            for (int j = 0; j < c; j++) dx[base + j] = rs * (dxhat[j] - m1 - xhat[base + j] * m2);
        }
        return dx;
    }

    /*
     * Row sums for layer norm with four independent partial sums in double: a single running sum waits for each add
     * to finish before the next (4 cycles of latency per element), four sums keep the adder busy. The order of the
     * additions differs from the one-sum loop by rounding only; FusedKernelsTest checks each against it.
     */

    /** {@code sum_j x[from + j]} for j in [0, n), in double with four partial sums. */
    static double rowSum(float[] x, int from, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = from, end = from + n;
        for (; j + 3 < end; j += 4) {
            s0 += x[j];
            s1 += x[j + 1];
            s2 += x[j + 2];
            s3 += x[j + 3];
        }
        for (; j < end; j++) s0 += x[j];
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code sum_j (x[from + j] - mean)^2} for j in [0, n), in double with four partial sums. */
    static double rowSquaredDeviations(float[] x, int from, int n, double mean) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = from, end = from + n;
        for (; j + 3 < end; j += 4) {
            double d0 = x[j] - mean, d1 = x[j + 1] - mean, d2 = x[j + 2] - mean, d3 = x[j + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; j < end; j++) {
            double d = x[j] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code sum_j a[fa + j] * b[fb + j]} for j in [0, n), products and sums in double, four partial sums. */
    static double rowDot(float[] a, int fa, float[] b, int fb, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += (double) a[fa + j] * b[fb + j];
            s1 += (double) a[fa + j + 1] * b[fb + j + 1];
            s2 += (double) a[fa + j + 2] * b[fb + j + 2];
            s3 += (double) a[fa + j + 3] * b[fb + j + 3];
        }
        for (; j < n; j++) s0 += (double) a[fa + j] * b[fb + j];
        return (s0 + s1) + (s2 + s3);
    }

    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    /**
     * GELU (tanh form) forward: {@code t = tanh(c (x + 0.044715 x^3))}, {@code out = 0.5 x (1 + t)}, c = sqrt(2/pi);
     * fills t for the backward pass. One Java loop the JIT can vectorise: tanh is {@link #tanhRational}, additions,
     * products and one division (a loop calling Math.tanh or Math.exp per element is several times slower, and ND4J's
     * native sigmoid costs a call and two copies).
     */
    static float[] geluForward(float[] x, float[] t) {
        final float c = (float) GELU_C;
        float[] out = Arena.scratch(1, x.length); // written into an ND4J array by the caller at once
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            float ti = tanhRational(c * (xi + 0.044715f * xi * xi * xi));
            t[i] = ti;
            out[i] = 0.5f * xi * (1f + ti);
        }
        return out;
    }

    /**
     * {@code tanh(x)} in float32, as {@code x P(x^2) / Q(x^2)} with x clamped to [-9, 9] (beyond, tanh is 1 to float
     * precision): P of degree 6 and Q of degree 3 in x^2, fitted to tanh on [0, 9] by re-weighted least squares
     * ({@code tools/bench/tanh_fit.py} computes the coefficients and the error). |error| <= 4e-7 against
     * {@link Math#tanh}, never beyond ±1; NaN gives NaN. Only products, sums, min/max and a division: the JIT vectorises loops over it.
     */
    static float tanhRational(float x) {
        float xc = Math.max(-9f, Math.min(9f, x)), s = xc * xc;
        float p = ((((((-8.293201624e-14f * s + 5.193434457e-11f) * s - 2.003111846e-08f) * s + 1.110221238e-05f) * s
                + 3.098691965e-03f) * s + 1.307919754e-01f) * s + 9.999999690e-01f);
        float q = ((2.538655702e-04f * s + 2.447391197e-02f) * s + 4.641251780e-01f) * s + 1f;
        return Math.max(-1f, Math.min(1f, xc * p / q)); // |tanh| <= 1, as the fit overshoots by 2e-7 near ±9
    }

    /** GELU backward: {@code dx = g * (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2))}. */
    static float[] geluBackward(float[] g, float[] x, float[] t) {
        float[] dx = Arena.scratch(1, x.length); // written into an ND4J array by the caller at once
        final float c = (float) GELU_C, k = (float) (3 * 0.044715);
        for (int i = 0; i < x.length; i++) {
            float xi = x[i], ti = t[i];
            float d = 0.5f * (1 + ti) + 0.5f * xi * (1 - ti * ti) * c * (1 + k * xi * xi);
            dx[i] = g[i] * d;
        }
        return dx;
    }
}
