package org.bigmodels.optim;

import org.bigmodels.engine.Gemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One parameter's Adam/AdamW update as a single Java loop over float arrays copied in bulk, chunk by chunk, from the CPU
 * backend's buffers; the same formula as the ND4J calls in {@link Adam#step} (kept there for other backends and types), per
 * element:
 * <pre>
 *   g' = g + wd·w (Adam, L2 only);  m = b1·m + (1-b1)·g';  v = b2·v + (1-b2)·g'²
 *   w = w·(1 - lr·wd) (AdamW only);  w -= (lr / c1) · m / (sqrt(v / c2) + eps)
 * </pre>
 * with c1 = 1 - b1^t, c2 = 1 - b2^t. Why: 9 ND4J calls per parameter, each with a fixed dispatch cost and a pass over
 * memory, against one pass here. Tested against the ND4J path in {@code AdamKernelTest}.
 */
final class AdamKernel {
    private AdamKernel() {}

    /** Whether {@link #update} can run: CPU backend, all FLOAT, plain row-major, not views, of one length. */
    static boolean usable(INDArray... arrays) {
        if (!Gemm.direct() || DISABLED) return false;
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.isView() || a.ordering() != 'c'
                    || a.length() != arrays[0].length() || a.length() >= Integer.MAX_VALUE
                    || a.data().length() != a.length()) return false;
        }
        return true;
    }

    /** For the test that compares this loop with the ND4J calls: -Dbigmodels.adam.nd4j=true turns the loop off. */
    static boolean DISABLED = Boolean.getBoolean("bigmodels.adam.nd4j");

    /** Elements per chunk of {@link #update}: four work arrays of 16 KB stay in the L1/L2 cache. */
    static final int CHUNK = 4096;
    private static final ThreadLocal<float[][]> WORK = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    static void update(INDArray w, INDArray g, INDArray m, INDArray v, double lr, double beta1, double beta2,
                       double eps, double c1, double c2, double wd, boolean decoupled) {
        int n = (int) w.length();
        float b1 = (float) beta1, b2 = (float) beta2, a1 = (float) (1 - beta1), a2 = (float) (1 - beta2);
        float l2 = decoupled ? 0f : (float) wd, shrink = decoupled ? (float) (1 - lr * wd) : 1f;
        float invC2 = (float) (1 / c2), step = (float) (lr / c1), e = (float) eps;
        // in chunks through four small work arrays kept per thread: bulk copies in and out (memcpy speed) around a
        // loop the JIT compiles tightly, and no per-step Java allocation (a step of a GPT would otherwise make four
        // arrays of each parameter's size: megabytes of garbage per step)
        float[][] work = WORK.get();
        float[] wv = work[0], gv = work[1], mv = work[2], vv = work[3];
        var wb = w.data().asNioFloat();
        var gb = g.data().asNioFloat();
        var mb = m.data().asNioFloat();
        var vb = v.data().asNioFloat();
        for (int from = 0; from < n; from += CHUNK) {
            int len = Math.min(CHUNK, n - from);
            wb.get(from, wv, 0, len);
            gb.get(from, gv, 0, len);
            mb.get(from, mv, 0, len);
            vb.get(from, vv, 0, len);
            for (int i = 0; i < len; i++) {
                float gi = gv[i] + l2 * wv[i];
                float mi = b1 * mv[i] + a1 * gi;
                float vi = b2 * vv[i] + a2 * gi * gi;
                mv[i] = mi;
                vv[i] = vi;
                wv[i] = wv[i] * shrink - step * (mi / ((float) Math.sqrt(vi * invC2) + e));
            }
            wb.put(from, wv, 0, len);
            mb.put(from, mv, 0, len);
            vb.put(from, vv, 0, len);
        }
    }
}
