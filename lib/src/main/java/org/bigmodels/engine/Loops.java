package org.bigmodels.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
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
        if (out.dataType() == DataType.FLOAT) {
            FloatBuffer o = out.data().asNioFloat(), gb = g.data().asNioFloat(), d = dst.data().asNioFloat();
            for (int i = 0, n = (int) out.length(); i < n; i++) d.put(i, o.get(i) > 0 ? gb.get(i) : 0f);
        } else {
            DoubleBuffer o = out.data().asNioDouble(), gb = g.data().asNioDouble(), d = dst.data().asNioDouble();
            for (int i = 0, n = (int) out.length(); i < n; i++) d.put(i, o.get(i) > 0 ? gb.get(i) : 0.0);
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
