package org.bigmodels.tensorparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Column-parallel Linear: W [in, out] split by output columns, rank r keeping W[:, r·out/p .. (r+1)·out/p) and the
 * same slice of b, so that {@code x·W = [x·W_0 | x·W_1 | ... | x·W_{p-1}]} (Megatron-LM, Shoeybi et al. 2019, §3,
 * equation 3).
 *
 * <p>Input x [..., in], the same on every rank; output this rank's columns [..., out/p] (not gathered: the next
 * layer, a {@link RowParallelLinear} or the vocabulary-parallel loss, consumes the shard). Forward:
 * {@code f(x)·W_r + b_r} with no communication; backward: dW_r = xᵀ·dy_r and db_r as locally computed, and dx the
 * all-reduce over ranks of dy_r·W_rᵀ (operator f): one all-reduce of x's size.
 */
public class ColumnParallelLinear extends ParallelLinear {

    /**
     * @throws IllegalArgumentException when the tensor-parallel degree does not divide the output width
     */
    public ColumnParallelLinear(Linear dense, Communicator comm) {
        super(dense, comm);
    }

    @Override
    protected INDArray shardWeight(INDArray w, int rank, int worldSize) {
        long[] r = range(w.size(1), rank, worldSize, "the output width (columns of W) of a column-parallel Linear");
        return w.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1]));
    }

    @Override
    protected INDArray shardBias(INDArray b, int rank, int worldSize) {
        long[] r = range(b.length(), rank, worldSize, "the output width of a column-parallel Linear");
        return b.get(NDArrayIndex.interval(r[0], r[1]));
    }

    /** x [..., in] (the same on every rank) to this rank's output columns [..., out/p]. */
    @Override
    public Tensor forward(Tensor x) {
        return Ops.linear(TensorParallelOps.f(x, communicator()), weight(), bias());
    }
}
