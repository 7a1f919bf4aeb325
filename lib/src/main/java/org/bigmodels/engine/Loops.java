package org.bigmodels.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise loops written in Java over the CPU backend's own memory (no copies), for the few hot operations whose
 * arithmetic is far cheaper than an ND4J call: every ND4J op pays a fixed cost in argument checks and native
 * dispatch (tens of microseconds for the "custom" ops) before touching a single element. Each method returns false
 * when it cannot run (another backend, a view, another data type), and the caller falls back to ND4J.
 */
final class Loops {
    private Loops() {}

    /** dst = g where out > 0, else 0 (the ReLU backward, from the ReLU's output). */
    static boolean reluBackward(INDArray out, INDArray g, INDArray dst) {
        if (!usable(out, g, dst)) return false;
        int n = (int) out.length();
        if (out.dataType() == DataType.FLOAT) {
            // bulk copies in and out (memcpy speed) around a loop the JIT can vectorise
            float[] o = Arena.floats(n), gv = Arena.floats(n);
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
