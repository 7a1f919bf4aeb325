package org.bigmodels.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head causal self-attention as one differentiable op, from the fused projection qkv [B, T, 3C] (q, k, v in
 * that order along the features, head h owning features h·d..(h+1)·d of each, d = C / H) to the joined heads
 * y [B, T, C]. The plain formula, per batch row b and head h, is the composition that
 * {@code CausalSelfAttention} writes with separate ops (and uses when it cannot use this one):
 * <pre>
 *   P = softmax(mask(q·kᵀ / sqrt(d)))   [T, T], mask: position (i, j) with j &gt; i gets -infinity
 *   y = P·v                              [T, d], written into y[b, :, h·d..(h+1)·d]
 * </pre>
 * Why fused: written with separate ops, the split of qkv, the reshapes and transposes to [B, H, T, d] and back, the
 * scale, the mask and the softmax are each a pass over memory plus an ND4J call (and as many again in backward);
 * here each product points BLAS straight at the head's columns inside qkv and y (row strides 3C and C), and the
 * scale, mask and softmax are one Java loop over the rows of P. Backward, with G = dL/dy for the head:
 * <pre>
 *   dP = G·vᵀ;   dv = Pᵀ·G;   dS = P ∘ (dP - rowsum(dP ∘ P));   dq = dS·k / sqrt(d);   dk = dSᵀ·q / sqrt(d)
 * </pre>
 * (the softmax backward, Vaswani et al. 2017 for the forward). Tested against the composition of separate ops
 * (values and gradients) in {@code FusedKernelsTest}. CPU backend, FLOAT, row-major plain qkv only:
 * {@link #usable} says when (a view is fine if it starts at its buffer's start and is dense).
 */
public final class FusedAttention {
    private FusedAttention() {}

    /** The output y [B, T, C] and the attention weights P [B, H, T, T] of one call. */
    public record Result(Tensor output, INDArray weights) {}

    /** Whether {@link #causal} can run on this qkv (else compose the separate ops). */
    public static boolean usable(Tensor qkv) {
        INDArray v = qkv.value();
        return Gemm.direct() && v.dataType() == DataType.FLOAT && v.rank() == 3 && Gemm.isPlainRowMajor(v)
                && v.length() < Integer.MAX_VALUE;
    }

    /**
     * Causal multi-head attention from qkv [B, T, 3C] with {@code nHead} heads.
     *
     * @throws ShapeException unless qkv is [B, T, 3C] with B, T, C &ge; 1 and C a multiple of nHead
     * @throws IllegalArgumentException when {@link #usable} is false (another backend or type)
     */
    public static Result causal(Tensor qkv, int nHead) {
        INDArray x = qkv.value();
        if (x.rank() != 3 || x.size(0) < 1 || x.size(1) < 1 || x.size(2) < 3 || x.size(2) % 3 != 0 || nHead <= 0
                || (x.size(2) / 3) % nHead != 0) {
            throw new ShapeException("FusedAttention", "qkv [B, T, 3C] with B, T, C >= 1 and C a multiple of nHead "
                    + nHead,
                    java.util.Arrays.toString(x.shape()));
        }
        if (!usable(qkv)) {
            throw new IllegalArgumentException("FusedAttention: needs the CPU backend and a dense row-major FLOAT qkv, "
                    + "got " + x.dataType() + " ordering " + x.ordering() + "; use the separate ops");
        }
        int b = (int) x.size(0), t = (int) x.size(1), c3 = (int) x.size(2), c = c3 / 3, hd = c / nHead;
        float scale = (float) (1.0 / Math.sqrt(hd));
        INDArray p = Arena.alloc(DataType.FLOAT, b, nHead, t, t);
        INDArray y = Arena.alloc(DataType.FLOAT, b, t, c);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < nHead; h++) {
                long q = (long) bi * t * c3 + (long) h * hd, pp = ((long) bi * nHead + h) * t * t;
                // S = q·kᵀ / sqrt(d) (the upper triangle is computed and then overwritten by the mask)
                Gemm.sgemmAt(false, true, t, t, hd, scale, x, q, c3, x, q + c, c3, 0f, p, pp, t);
            }
        }
        float[] pv = Arena.floats((int) p.length());
        p.data().asNioFloat().get(pv);
        maskedSoftmaxRows(pv, t);
        p.data().asNioFloat().put(pv);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < nHead; h++) {
                long q = (long) bi * t * c3 + (long) h * hd, pp = ((long) bi * nHead + h) * t * t;
                Gemm.sgemmAt(false, false, t, hd, t, 1f, p, pp, t, x, q + 2L * c, c3, 0f, y,
                        (long) bi * t * c + (long) h * hd, c);
            }
        }
        Tensor out = Tensor.result(y, "attention", g -> {
            INDArray gc = Gemm.isPlainRowMajor(g) ? g : g.dup('c');
            INDArray dqkv = Arena.alloc(DataType.FLOAT, b, t, c3);
            INDArray dp = Arena.alloc(DataType.FLOAT, b, nHead, t, t);
            for (int bi = 0; bi < b; bi++) {
                for (int h = 0; h < nHead; h++) {
                    long q = (long) bi * t * c3 + (long) h * hd, pp = ((long) bi * nHead + h) * t * t;
                    long gy = (long) bi * t * c + (long) h * hd;
                    Gemm.sgemmAt(false, true, t, t, hd, 1f, gc, gy, c, x, q + 2L * c, c3, 0f, dp, pp, t); // dP = G·vᵀ
                    Gemm.sgemmAt(true, false, t, hd, t, 1f, p, pp, t, gc, gy, c, 0f, dqkv, q + 2L * c, c3); // dv = Pᵀ·G
                }
            }
            float[] dpv = Arena.scratch(0, pv.length);
            dp.data().asNioFloat().get(dpv);
            softmaxBackwardRows(pv, dpv, t);
            dp.data().asNioFloat().put(dpv); // now dS
            for (int bi = 0; bi < b; bi++) {
                for (int h = 0; h < nHead; h++) {
                    long q = (long) bi * t * c3 + (long) h * hd, pp = ((long) bi * nHead + h) * t * t;
                    Gemm.sgemmAt(false, false, t, hd, t, scale, dp, pp, t, x, q + c, c3, 0f, dqkv, q, c3); // dq
                    Gemm.sgemmAt(true, false, t, hd, t, scale, dp, pp, t, x, q, c3, 0f, dqkv, q + c, c3); // dk
                }
            }
            qkv.accumulate(dqkv, true);
        }, qkv);
        return new Result(out, p);
    }

    /**
     * In place over rows of length t (the rows of [.., T, T] matrices, row i of each matrix seeing positions 0..i):
     * {@code p[i][j] = exp(s[i][j] - max) / sum over j' <= i of exp(s[i][j'] - max)} for j &lt;= i, 0 for j &gt; i.
     * Sums in double.
     */
    static void maskedSoftmaxRows(float[] s, int t) {
        for (int row = 0, n = s.length / t; row < n; row++) {
            int i = row % t, base = row * t;
            float max = s[base];
            for (int j = 1; j <= i; j++) max = Math.max(max, s[base + j]);
            double sum = 0;
            for (int j = 0; j <= i; j++) {
                float e = (float) Math.exp(s[base + j] - max);
                s[base + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j <= i; j++) s[base + j] *= inv;
            for (int j = i + 1; j < t; j++) s[base + j] = 0f;
        }
    }

    /** In place: {@code dp = p ∘ (dp - rowsum(dp ∘ p))} over rows of length t (0 where p is 0). */
    static void softmaxBackwardRows(float[] p, float[] dp, int t) {
        for (int base = 0; base < p.length; base += t) {
            float d = (float) RowKernels.rowDot(dp, base, p, base, t); // sum_j dp[j] p[j], four partial sums
            for (int j = 0; j < t; j++) dp[base + j] = p[base + j] * (dp[base + j] - d);
        }
    }
}
