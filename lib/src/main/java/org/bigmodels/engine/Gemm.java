package org.bigmodels.engine;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemv;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products into preallocated row-major results: {@code C = alpha * op(A) * op(B) + beta * C}.
 *
 * <p>Why a class of its own: ND4J's allocating {@code mmul} on row-major ('c') arrays reached about half the speed
 * of the BLAS underneath (see the benchmark in 03-mlp-mnist and the README). On the CPU backend this calls the
 * OpenBLAS that ND4J bundles directly ({@code cblas_sgemm}/{@code cblas_dgemm}), telling it about transposes
 * instead of materialising them. On any other backend (CUDA) it falls back to {@code Nd4j.gemm}, which is correct
 * everywhere. Taught in 02-backprop-from-scratch and measured in 03-mlp-mnist.
 */
public final class Gemm {
    private static final boolean DIRECT = detectDirect();

    private Gemm() {}

    /** True when products go straight to the bundled OpenBLAS (CPU backend), false when they go through ND4J. */
    public static boolean direct() {
        return DIRECT;
    }

    private static boolean detectDirect() {
        if (Boolean.getBoolean("bigmodels.gemm.nd4j")) {
            return false;
        }
        try {
            String backend = Nd4j.getBackend().getClass().getName();
            if (!backend.contains("CpuBackend")) {
                return false;
            }
            Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** A new row-major matrix {@code op(a) * op(b)}. */
    public static INDArray mm(INDArray a, boolean transA, INDArray b, boolean transB) {
        long m = transA ? a.size(1) : a.size(0);
        long n = transB ? b.size(0) : b.size(1);
        INDArray c = Arena.alloc(a.dataType(), m, n);
        mm(a, transA, b, transB, c, 1.0, 0.0);
        return c;
    }

    /**
     * {@code c = alpha * op(a) * op(b) + beta * c}, in place. All three must be 2-D with matching inner sizes and the
     * same floating-point type; {@code c} must be a row-major array that owns its memory (as from {@code create}).
     */
    public static void mm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha, double beta) {
        long m = transA ? a.size(1) : a.size(0);
        long k = transA ? a.size(0) : a.size(1);
        long kb = transB ? b.size(1) : b.size(0);
        long n = transB ? b.size(0) : b.size(1);
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2 || k != kb || c.size(0) != m || c.size(1) != n) {
            throw new ShapeException("gemm", "op(a) [m,k] times op(b) [k,n] into c [m,n]",
                    a.shapeInfoToString() + (transA ? "^T" : "") + ", " + b.shapeInfoToString() + (transB ? "^T" : "")
                            + ", c " + java.util.Arrays.toString(c.shape()));
        }
        if (a.dataType() != b.dataType() || a.dataType() != c.dataType() || !a.dataType().isFPType()) {
            throw new IllegalArgumentException("gemm: expected a, b and c of one floating-point type, got "
                    + a.dataType() + ", " + b.dataType() + ", " + c.dataType() + "; convert with castTo(...) first");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (!DIRECT || !isPlainRowMajor(c) || (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE)) {
            INDArray r = Nd4j.gemm(a, b, transA, transB);
            if (alpha != 1.0) r.muli(alpha);
            if (beta == 0.0) c.assign(r); else c.muli(beta).addi(r);
            return;
        }
        INDArray ac = isPlainRowMajor(a) ? a : a.dup('c');
        INDArray bc = isPlainRowMajor(b) ? b : b.dup('c');
        int lda = (int) ac.size(1), ldb = (int) bc.size(1), ldc = (int) n;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        int order = CblasRowMajor;
        if (ac.dataType() == DataType.FLOAT) {
            cblas_sgemm(order, ta, tb, (int) m, (int) n, (int) k,
                    (float) alpha, floats(ac), lda, floats(bc), ldb, (float) beta, floats(c), ldc);
        } else {
            cblas_dgemm(order, ta, tb, (int) m, (int) n, (int) k,
                    alpha, doubles(ac), lda, doubles(bc), ldb, beta, doubles(c), ldc);
        }
    }

    /**
     * {@code c[i] = op(a[i]) * op(b[i])} for every i of row-major [batch, rows, cols] arrays: one BLAS call per matrix,
     * each pointed at its slice of the same buffers (no copies).
     */
    static void batched(INDArray a3, boolean transA, INDArray b3, boolean transB, INDArray c3) {
        long batch = a3.size(0);
        boolean plain = isPlainRowMajor(a3) && isPlainRowMajor(b3) && isPlainRowMajor(c3);
        if (!DIRECT || !plain || (a3.dataType() != DataType.FLOAT && a3.dataType() != DataType.DOUBLE)) {
            for (long i = 0; i < batch; i++) {
                c3.slice(i).assign(Nd4j.gemm(a3.slice(i), b3.slice(i), transA, transB));
            }
            return;
        }
        int m = (int) c3.size(1), n = (int) c3.size(2), k = (int) (transA ? a3.size(1) : a3.size(2));
        int lda = (int) a3.size(2), ldb = (int) b3.size(2);
        long sa = a3.size(1) * a3.size(2), sb = b3.size(1) * b3.size(2), sc = (long) m * n;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        int order = CblasRowMajor;
        if (a3.dataType() == DataType.FLOAT) {
            FloatPointer pa = floats(a3), pb = floats(b3), pc = floats(c3);
            for (long i = 0; i < batch; i++) {
                cblas_sgemm(order, ta, tb, m, n, k, 1f,
                        pa.position(i * sa), lda, pb.position(i * sb), ldb, 0f, pc.position(i * sc), n);
            }
        } else {
            DoublePointer pa = doubles(a3), pb = doubles(b3), pc = doubles(c3);
            for (long i = 0; i < batch; i++) {
                cblas_dgemm(order, ta, tb, m, n, k, 1.0,
                        pa.position(i * sa), lda, pb.position(i * sb), ldb, 0.0, pc.position(i * sc), n);
            }
        }
    }

    /**
     * The sums of the columns of a row-major [m, n] matrix into a vector [n] (a linear layer's bias gradient), as
     * the matrix-vector product {@code g^T · ones}: one BLAS call, several times faster than a 1-row gemm.
     */
    static void columnSums(INDArray g, INDArray out) {
        int m = (int) g.size(0), n = (int) g.size(1);
        boolean plain = isPlainRowMajor(g) && isPlainRowMajor(out) && out.length() == n;
        if (!DIRECT || !plain || (g.dataType() != DataType.FLOAT && g.dataType() != DataType.DOUBLE)) {
            out.assign(g.sum(0).reshape(out.shape()));
            return;
        }
        INDArray ones = Ops.ones(g.dataType(), m);
        int order = CblasRowMajor;
        int trans = CblasTrans;
        if (g.dataType() == DataType.FLOAT) {
            cblas_sgemv(order, trans, m, n, 1f, floats(g), n,
                    floats(ones), 1, 0f, floats(out), 1);
        } else {
            cblas_dgemv(order, trans, m, n, 1.0, doubles(g), n,
                    doubles(ones), 1, 0.0, doubles(out), 1);
        }
    }

    /**
     * One float product on sub-matrices of plain row-major buffers: {@code C = alpha * op(A) * op(B) + beta * C} where
     * A starts {@code aOff} elements into {@code a}'s buffer with row stride {@code lda} (and so on). Lets a caller
     * address a head's columns inside a wider array (attention's q, k and v inside qkv [B, T, 3C]) without copying
     * them out. CPU backend, FLOAT arrays only (the caller checks {@link #direct()}).
     */
    static void sgemmAt(boolean transA, boolean transB, int m, int n, int k, float alpha, INDArray a, long aOff,
                        int lda, INDArray b, long bOff, int ldb, float beta, INDArray c, long cOff, int ldc) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, floats(a).position(aOff), lda, floats(b).position(bOff), ldb, beta, floats(c).position(cOff),
                ldc);
    }

    /** Row-major, dense, and addressable from its buffer's start (so the raw pointer is the matrix). */
    static boolean isPlainRowMajor(INDArray x) {
        if (x.ordering() != 'c' || x.isView() && x.offset() != 0) {
            return false;
        }
        long[] s = x.shape(), st = x.stride();
        long expect = 1;
        for (int i = s.length - 1; i >= 0; i--) {
            if (s[i] != 1 && st[i] != expect) return false;
            expect *= s[i];
        }
        return x.data().length() >= x.length();
    }

    private static FloatPointer floats(INDArray x) {
        Pointer p = x.data().addressPointer();
        return new FloatPointer(p);
    }

    private static DoublePointer doubles(INDArray x) {
        Pointer p = x.data().addressPointer();
        return new DoublePointer(p);
    }
}
