package org.bigmodels.exercises.lesson09;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.bigmodels.tensorparallel.ParallelLinear;
import org.bigmodels.tensorparallel.TensorParallelOps;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Solution of exercise 09.2: the row-parallel Linear (see the exercise's stub for the task). */
public class StudentRowParallelLinear extends ParallelLinear {

    public StudentRowParallelLinear(Linear dense, Communicator comm) {
        super(dense, comm);
    }

    @Override
    protected INDArray shardWeight(INDArray w, int rank, int worldSize) {
        long[] r = range(w.size(0), rank, worldSize, "the input width of a row-parallel Linear");
        return w.get(NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all());
    }

    @Override
    protected INDArray shardBias(INDArray b, int rank, int worldSize) {
        return b; // the whole bias on every rank, added once after the sum
    }

    @Override
    public Tensor forward(Tensor x) {
        // g: all-reduce of the partial products now, identity in backward; then the bias, once
        Tensor y = TensorParallelOps.g(Ops.linear(x, weight(), null), communicator());
        return bias() == null ? y : y.add(bias());
    }
}
