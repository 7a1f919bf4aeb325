package org.bigmodels.tensorparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One rank's shard of a dense {@link Linear} {@code y = x·W + b} (W [in, out], b [out]) split over the p ranks of a
 * tensor-parallel group: the base of {@link ColumnParallelLinear} (W split by output columns) and
 * {@link RowParallelLinear} (W split by input rows), and of a learner's own (exercises 09.1 and 09.2 extend it, so
 * their class plugs in where the library's does).
 *
 * <p>A subclass says which block of W and b this rank keeps ({@link #shardWeight}, {@link #shardBias}) and how the
 * forward pass computes with it and communicates ({@link #forward}, with {@link TensorParallelOps#f} and
 * {@link TensorParallelOps#g}). The constructor calls the two shard methods once, so they must use only their
 * arguments (not fields of the subclass, which are not yet set). Parameters: "weight" (the shard, a copy, so
 * training it leaves the dense layer untouched) and "bias" (when the subclass keeps one on this rank).
 *
 * <p>Megatron-LM, Shoeybi et al. 2019, §3.
 */
public abstract class ParallelLinear extends Module implements Layer {
    private final Communicator comm;
    private final long denseIn;
    private final long denseOut;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * Shards {@code dense} for rank {@code comm.rank()} of {@code comm.worldSize()}.
     *
     * @throws IllegalArgumentException when dense or comm is null, or a shard method returns no weight
     */
    protected ParallelLinear(Linear dense, Communicator comm) {
        if (dense == null || comm == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected a dense Linear and a "
                    + "Communicator, got " + (dense == null ? "a null Linear" : "a null Communicator"));
        }
        this.comm = comm;
        this.denseIn = dense.in();
        this.denseOut = dense.out();
        INDArray w = shardWeight(dense.weight().value(), comm.rank(), comm.worldSize());
        if (w == null || w.rank() != 2) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".shardWeight: expected a block [rows, "
                    + "columns] of W [" + denseIn + ", " + denseOut + "], got " + (w == null ? "null" : w.shapeInfoToString()));
        }
        this.weight = param("weight", w.dup('c'));
        INDArray b = dense.bias() == null ? null : shardBias(dense.bias().value(), comm.rank(), comm.worldSize());
        this.bias = b == null ? null : param("bias", b.dup('c'));
    }

    /**
     * This rank's block of the dense weight W [in, out] (it is copied afterwards).
     *
     * @param denseWeight W [in, out]
     * @param rank        this rank, in [0, worldSize)
     * @param worldSize   the tensor-parallel degree p
     */
    protected abstract INDArray shardWeight(INDArray denseWeight, int rank, int worldSize);

    /**
     * The part of the dense bias b [out] this rank keeps (copied afterwards), or null for none; called only when the
     * dense layer has a bias.
     */
    protected abstract INDArray shardBias(INDArray denseBias, int rank, int worldSize);

    /** This rank's output for its input (the shapes depend on the split: see the subclasses). */
    @Override
    public abstract Tensor forward(Tensor x);

    /** The tensor-parallel group. */
    public Communicator communicator() {
        return comm;
    }

    /** This rank's weight shard. */
    public Tensor weight() {
        return weight;
    }

    /** This rank's bias (shard or whole), or null when it keeps none. */
    public Tensor bias() {
        return bias;
    }

    /** The dense layer's input width. */
    public long denseIn() {
        return denseIn;
    }

    /** The dense layer's output width. */
    public long denseOut() {
        return denseOut;
    }

    /**
     * The range [lo, hi) of rank {@code rank}'s part when {@code size} is split into {@code worldSize} equal parts.
     *
     * @param what what is being split, for the error ("the output width of Linear", "the heads")
     * @throws IllegalArgumentException when worldSize does not divide size (saying both, and how to fix it)
     */
    public static long[] range(long size, int rank, int worldSize, String what) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("tensor parallel: rank " + rank + " is not in [0, " + worldSize + ")");
        }
        if (size % worldSize != 0) {
            throw new IllegalArgumentException("tensor parallel: " + what + " is " + size + ", which does not divide "
                    + "into " + worldSize + " equal shards; choose a tensor-parallel degree that divides " + size
                    + " (or pad " + what + " up to a multiple of " + worldSize + ")");
        }
        long part = size / worldSize;
        return new long[] {rank * part, (rank + 1) * part};
    }
}
