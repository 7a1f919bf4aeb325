package org.bigmodels.prune;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pruned weight matrix in compressed sparse row form (CSR), float32, built from a course weight W [in, out] and
 * stored transposed, one row per output unit: {@code rowStart[o]..rowStart[o+1]} index the kept weights of output o,
 * {@code column[k]} is the input each one reads and {@code value[k]} its value. That layout makes {@link #times}
 * (y = x·W for a batch x [N, in]) a dot product per output over its kept inputs only: the work is proportional to the
 * number of kept weights, nnz, instead of in·out.
 *
 * <p>Size ({@link #bytes()}): nnz·(4 + 4) + (out + 1)·4 bytes (value and column index per kept weight, plus the row
 * starts), against in·out·4 dense; so CSR with 32-bit indices is smaller only below 50 % density. A bitmap (one bit
 * per weight plus the kept values, {@link #bitmapBytes}) is smaller than CSR above about 1/32 density. Han et al.
 * (2016, "Deep Compression") store relative indices in 4-8 bits to shrink CSR further.
 */
public final class CsrMatrix {
    private final int in, out;
    private final int[] rowStart;
    private final int[] column;
    private final float[] value;

    /**
     * CSR of W [in, out] (its exact zeros are left out).
     *
     * @throws IllegalArgumentException unless W has rank 2
     */
    public static CsrMatrix of(INDArray w) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("CsrMatrix: expected a weight matrix [in, out], got shape "
                    + Arrays.toString(w.shape()));
        }
        int in = (int) w.size(0), out = (int) w.size(1);
        float[] t = w.castTo(DataType.FLOAT).transpose().dup('c').data().asFloat(); // [out, in] row-major
        int nnz = 0;
        for (float x : t) if (x != 0f) nnz++;
        int[] rowStart = new int[out + 1];
        int[] column = new int[nnz];
        float[] value = new float[nnz];
        int k = 0;
        for (int o = 0; o < out; o++) {
            rowStart[o] = k;
            for (int i = 0; i < in; i++) {
                float x = t[o * in + i];
                if (x != 0f) {
                    column[k] = i;
                    value[k++] = x;
                }
            }
        }
        rowStart[out] = k;
        return new CsrMatrix(in, out, rowStart, column, value);
    }

    private CsrMatrix(int in, int out, int[] rowStart, int[] column, float[] value) {
        this.in = in;
        this.out = out;
        this.rowStart = rowStart;
        this.column = column;
        this.value = value;
    }

    /**
     * y = x·W for x [N, in] (float32), computed over the kept weights only; returns [N, out] float32.
     *
     * @throws IllegalArgumentException unless x is [N, in]
     */
    public INDArray times(INDArray x) {
        if (x.rank() != 2 || x.size(1) != in) {
            throw new IllegalArgumentException("CsrMatrix.times: expected x [N, " + in + "], got "
                    + Arrays.toString(x.shape()));
        }
        int n = (int) x.size(0);
        float[] xs = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] y = new float[n * out];
        times(xs, n, y);
        return Nd4j.createFromArray(y).reshape('c', n, out);
    }

    /** y[b·out + o] = Σ_k value[k]·x[b·in + column[k]] over row o's kept weights; x row-major [n, in], y [n, out]. */
    void times(float[] x, int n, float[] y) {
        for (int b = 0; b < n; b++) {
            int xb = b * in, yb = b * out;
            for (int o = 0; o < out; o++) {
                float s = 0f;
                for (int k = rowStart[o], end = rowStart[o + 1]; k < end; k++) s += value[k] * x[xb + column[k]];
                y[yb + o] = s;
            }
        }
    }

    /** The dense W [in, out] back (float32), pruned weights as zeros. */
    public INDArray toDense() {
        float[] w = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int k = rowStart[o]; k < rowStart[o + 1]; k++) w[column[k] * out + o] = value[k];
        }
        return Nd4j.createFromArray(w).reshape('c', in, out);
    }

    /** Kept (nonzero) weights. */
    public int nnz() {
        return value.length;
    }

    /** Inputs (rows of W). */
    public int in() {
        return in;
    }

    /** Outputs (columns of W). */
    public int out() {
        return out;
    }

    /** The fraction of weights kept, nnz / (in·out). */
    public double density() {
        return nnz() / ((double) in * out);
    }

    /** Bytes of this CSR form: nnz·(4 value + 4 column) + (out + 1)·4 row starts. */
    public long bytes() {
        return (long) nnz() * 8 + (long) (out + 1) * 4;
    }

    /** Bytes of the dense float32 matrix, in·out·4. */
    public long denseBytes() {
        return (long) in * out * 4;
    }

    /** Bytes of a bitmap form of the same matrix: one bit per weight, rounded up to bytes, plus nnz·4 for values. */
    public long bitmapBytes() {
        return bitmapBytes((long) in * out, nnz());
    }

    /** One bit per weight (ceil(n/8) bytes) plus 4 bytes per kept value. */
    public static long bitmapBytes(long weights, long nnz) {
        return (weights + 7) / 8 + nnz * 4;
    }
}
