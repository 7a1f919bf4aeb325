package org.bigmodels.tensorparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Row-parallel Linear: W [in, out] split by input rows, rank r keeping W[r·in/p .. (r+1)·in/p, :], so that with x
 * split the same way along its last axis, {@code x·W = Σ_r x_r·W_r} (Megatron-LM, Shoeybi et al. 2019, §3).
 *
 * <p>Input this rank's slice x_r [..., in/p] (the output of a {@link ColumnParallelLinear} and an elementwise
 * function); output the whole y [..., out], the same on every rank. Forward: {@code g(x_r·W_r) + b}, one all-reduce
 * of y's size (operator g), and the bias added once, after the sum (every rank holds the whole b; adding it before
 * the sum would count it p times). Backward: no communication; dW_r = x_rᵀ·dy, db = Σ dy (the same on every rank),
 * dx_r = dy·W_rᵀ.
 */
public class RowParallelLinear extends ParallelLinear {

    /**
     * @throws IllegalArgumentException when the tensor-parallel degree does not divide the input width
     */
    public RowParallelLinear(Linear dense, Communicator comm) {
        super(dense, comm);
    }

    @Override
    protected INDArray shardWeight(INDArray w, int rank, int worldSize) {
        long[] r = range(w.size(0), rank, worldSize, "the input width (rows of W) of a row-parallel Linear");
        return w.get(NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all());
    }

    @Override
    protected INDArray shardBias(INDArray b, int rank, int worldSize) {
        return b; // whole, on every rank, added after the all-reduce
    }

    /** This rank's input slice x_r [..., in/p] to the whole output [..., out] (the same on every rank). */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = TensorParallelOps.g(Ops.linear(x, weight(), null), communicator());
        return bias() == null ? y : y.add(bias());
    }
}
