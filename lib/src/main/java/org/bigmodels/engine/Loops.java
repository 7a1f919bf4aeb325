package org.bigmodels.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise loops written in Java over the CPU backend's own memory (no copies), for the few hot operations whose
 * arithmetic is far cheaper than an ND4J call: every ND4J op pays a fixed cost in argument checks and native
 * dispatch (tens of microseconds for the "custom" ops) before touching a single element. Each method returns false
 * when it cannot run (another backend, a view, another data type), and the caller falls back to ND4J.
 */
public final class Loops {
    private Loops() {}

    /** dst = g where out > 0, else 0 (the ReLU backward, from the ReLU's output). */
    public static boolean reluBackward(INDArray out, INDArray g, INDArray dst) {
        if (!usable(out, g, dst)) return false;
        int n = (int) out.length();
        if (out.dataType() == DataType.FLOAT) {
            // bulk copies in and out (memcpy speed) around a loop the JIT can vectorise
            float[] o = new float[n], gv = new float[n];
            out.data().asNioFloat().get(o);
            g.data().asNioFloat().get(gv);
            for (int i = 0; i < n; i++) if (o[i] <= 0f) gv[i] = 0f;
            dst.data().asNioFloat().put(gv);
        } else {
            double[] o = new double[n], gv = new double[n];
            out.data().asNioDouble().get(o);
            g.data().asNioDouble().get(gv);
            for (int i = 0; i < n; i++) if (o[i] <= 0.0) gv[i] = 0.0;
            dst.data().asNioDouble().put(gv);
        }
        return true;
    }

    /**
     * One Adam/AdamW update of w in place, with m and v (the running averages) updated in place too:
     * {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w = w (1 - decay) - stepSize m / (sqrt(v / c2) + eps)}.
     * The arithmetic is done in double precision whatever the arrays' type. See {@link org.bigmodels.optim.Adam}.
     */
    public static boolean adam(INDArray w, INDArray g, INDArray m, INDArray v, double beta1, double beta2,
                               double c2, double eps, double stepSize, double decay) {
        if (!usable(w, g, m, v)) return false;
        int n = (int) w.length();
        if (w.dataType() == DataType.FLOAT) {
            float[] wv = new float[n], gv = new float[n], mv = new float[n], vv = new float[n];
            w.data().asNioFloat().get(wv);
            g.data().asNioFloat().get(gv);
            m.data().asNioFloat().get(mv);
            v.data().asNioFloat().get(vv);
            for (int i = 0; i < n; i++) {
                double gi = gv[i];
                double mi = beta1 * mv[i] + (1 - beta1) * gi;
                double vi = beta2 * vv[i] + (1 - beta2) * gi * gi;
                mv[i] = (float) mi;
                vv[i] = (float) vi;
                wv[i] = (float) (wv[i] * (1 - decay) - stepSize * mi / (Math.sqrt(vi / c2) + eps));
            }
            w.data().asNioFloat().put(wv);
            m.data().asNioFloat().put(mv);
            v.data().asNioFloat().put(vv);
        } else {
            double[] wv = new double[n], gv = new double[n], mv = new double[n], vv = new double[n];
            w.data().asNioDouble().get(wv);
            g.data().asNioDouble().get(gv);
            m.data().asNioDouble().get(mv);
            v.data().asNioDouble().get(vv);
            for (int i = 0; i < n; i++) {
                double gi = gv[i];
                mv[i] = beta1 * mv[i] + (1 - beta1) * gi;
                vv[i] = beta2 * vv[i] + (1 - beta2) * gi * gi;
                wv[i] = wv[i] * (1 - decay) - stepSize * mv[i] / (Math.sqrt(vv[i] / c2) + eps);
            }
            w.data().asNioDouble().put(wv);
            m.data().asNioDouble().put(mv);
            v.data().asNioDouble().put(vv);
        }
        return true;
    }

    private static boolean usable(INDArray... arrays) {
        if (!Gemm.direct()) return false;
        DataType t = arrays[0].dataType();
        for (INDArray a : arrays) {
            if (a.dataType() != t || (t != DataType.FLOAT && t != DataType.DOUBLE) || a.isView()
                    || !Gemm.isPlainRowMajor(a) || a.length() != arrays[0].length() || a.length() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }
}
