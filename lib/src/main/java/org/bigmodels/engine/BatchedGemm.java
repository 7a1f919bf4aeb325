package org.bigmodels.engine;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch of matrix products over the leading axes: [..., m, k]·[..., k, n] with equal leading axes, one product
 * per matrix (attention: scores = q·k^T for every batch row and head). See {@link Gemm#batched}.
 */
final class BatchedGemm {
    private BatchedGemm() {}

    static INDArray mm(INDArray a, boolean transA, INDArray b, boolean transB) {
        int r = a.rank();
        long m = transA ? a.size(r - 1) : a.size(r - 2);
        long n = transB ? b.size(r - 2) : b.size(r - 1);
        INDArray a3 = flat3(a), b3 = flat3(b);
        INDArray out3 = Arena.alloc(a.dataType(), a3.size(0), m, n);
        Gemm.batched(a3, transA, b3, transB, out3);
        long[] shape = Arrays.copyOf(a.shape(), r);
        shape[r - 2] = m;
        shape[r - 1] = n;
        return out3.reshape('c', shape);
    }

    private static INDArray flat3(INDArray x) {
        INDArray c = Gemm.isPlainRowMajor(x) ? x : x.dup('c');
        return c.reshape('c', c.length() / (c.size(-1) * c.size(-2)), c.size(-2), c.size(-1));
    }
}
