package org.bigmodels.exercises.lesson09;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.bigmodels.tensorparallel.ParallelLinear;
import org.bigmodels.tensorparallel.TensorParallelOps;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 09.1 (lesson 09-tensor-parallel): a column-parallel Linear, one rank's shard of a dense {@code y = x·W + b}
 * (W [in, out], b [out]) over p = comm.worldSize() ranks (Megatron-LM, Shoeybi et al. 2019, §3).
 *
 * <p>Split W by its output columns: rank r keeps the r-th of p equal blocks of columns, and the matching part of b.
 * Then {@code x·W} is the side-by-side concatenation of the p products {@code x·W_r}, so each rank computes its own
 * block of output columns from the whole input x, which every rank holds. The output stays split: rank r returns
 * [..., out/p].
 *
 * <p>Communication: x is used by all p ranks, so the loss depends on x through p paths and dL/dx is the sum of the p
 * ranks' partial gradients. Use the operator {@link TensorParallelOps#f} (identity forward, all-reduce backward) or
 * {@link TensorParallelOps#g} (the converse) -- which one, and where, is the exercise.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 09}.
 */
public class StudentColumnParallelLinear extends ParallelLinear {

    public StudentColumnParallelLinear(Linear dense, Communicator comm) {
        super(dense, comm);
    }

    /**
     * This rank's block of W [in, out] (the base class copies it and registers it as "weight").
     *
     * @param w W [in, out]; return a block of it, e.g. with {@code w.get(NDArrayIndex..., NDArrayIndex...)}
     */
    @Override
    protected INDArray shardWeight(INDArray w, int rank, int worldSize) {
        throw new UnsupportedOperationException("not implemented yet: StudentColumnParallelLinear.shardWeight -- keep "
                + "the rank-th of worldSize equal blocks of W along the axis of the OUTPUT features (W is [in, out]); "
                + "the result is [in, out/p]. ParallelLinear.range(size, rank, worldSize, what) gives [lo, hi) and "
                + "refuses sizes p does not divide. Pitfall: splitting the input axis instead is the row-parallel layer");
    }

    /** This rank's part of b [out] (copied and registered as "bias"). */
    @Override
    protected INDArray shardBias(INDArray b, int rank, int worldSize) {
        throw new UnsupportedOperationException("not implemented yet: StudentColumnParallelLinear.shardBias -- each "
                + "output column has its own bias entry: keep the same range of b as of W's columns, [out/p]");
    }

    /**
     * x [..., in] (the same on every rank) to this rank's output columns [..., out/p].
     * Use {@link #weight()}, {@link #bias()}, {@link #communicator()} and {@code Ops.linear(x, w, b)}.
     */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("not implemented yet: StudentColumnParallelLinear.forward -- a linear "
                + "map with this rank's weight and bias. Ask: does the forward need any sum over ranks (each output "
                + "column depends only on x and that column of W)? Does the backward (dL/dx gets a part from every "
                + "rank)? Pass x through the operator that communicates only where it is needed, before the product");
    }
}
