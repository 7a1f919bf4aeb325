package org.bigmodels.exercises.lesson09;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.bigmodels.tensorparallel.ParallelLinear;
import org.bigmodels.tensorparallel.TensorParallelOps;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 09.2 (lesson 09-tensor-parallel): a row-parallel Linear, one rank's shard of a dense {@code y = x·W + b}
 * (W [in, out], b [out]) over p = comm.worldSize() ranks (Megatron-LM, Shoeybi et al. 2019, §3).
 *
 * <p>Split W by its input rows: rank r keeps the r-th of p equal blocks of rows, and receives the matching slice
 * x_r [..., in/p] of the input (in a transformer, the output of the column-parallel layer before it). Then
 * {@code x·W = Σ_r x_r·W_r}: each rank computes a partial sum of the WHOLE output, and the ranks must add them up.
 * The output is the whole y [..., out], the same on every rank.
 *
 * <p>Communication: use {@link TensorParallelOps#f} (identity forward, all-reduce backward) or
 * {@link TensorParallelOps#g} (all-reduce forward, identity backward) -- which one, and where, is the exercise. The
 * bias belongs to the whole output, once.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 09}.
 */
public class StudentRowParallelLinear extends ParallelLinear {

    public StudentRowParallelLinear(Linear dense, Communicator comm) {
        super(dense, comm);
    }

    /** This rank's block of W [in, out] (the base class copies it and registers it as "weight"). */
    @Override
    protected INDArray shardWeight(INDArray w, int rank, int worldSize) {
        throw new UnsupportedOperationException("not implemented yet: StudentRowParallelLinear.shardWeight -- keep the "
                + "rank-th of worldSize equal blocks of W along the axis of the INPUT features: [in/p, out]. "
                + "ParallelLinear.range(size, rank, worldSize, what) gives [lo, hi)");
    }

    /** The part of b [out] this rank keeps (copied and registered as "bias"), or null to keep none. */
    @Override
    protected INDArray shardBias(INDArray b, int rank, int worldSize) {
        throw new UnsupportedOperationException("not implemented yet: StudentRowParallelLinear.shardBias -- every "
                + "output feature is computed (summed) on all ranks, so which part of b does a rank need? Its gradient "
                + "must equal the dense db on every rank");
    }

    /**
     * This rank's input slice x_r [..., in/p] to the whole output [..., out], the same on every rank.
     * Use {@link #weight()}, {@link #bias()}, {@link #communicator()} and {@code Ops.linear(x, w, b)}.
     */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("not implemented yet: StudentRowParallelLinear.forward -- x_r times "
                + "this rank's rows of W is a partial sum of y: the ranks must add their partial sums in forward; does "
                + "the backward need a sum too (dL/dy is already the same on every rank)? Pitfall: adding the bias "
                + "before the sum counts it p times");
    }
}
