package org.bigmodels.exercises.lesson09;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.bigmodels.tensorparallel.ParallelLinear;
import org.bigmodels.tensorparallel.TensorParallelOps;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Solution of exercise 09.1: the column-parallel Linear (see the exercise's stub for the task). */
public class StudentColumnParallelLinear extends ParallelLinear {

    public StudentColumnParallelLinear(Linear dense, Communicator comm) {
        super(dense, comm);
    }

    @Override
    protected INDArray shardWeight(INDArray w, int rank, int worldSize) {
        long[] r = range(w.size(1), rank, worldSize, "the output width of a column-parallel Linear");
        return w.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1]));
    }

    @Override
    protected INDArray shardBias(INDArray b, int rank, int worldSize) {
        long[] r = range(b.length(), rank, worldSize, "the output width of a column-parallel Linear");
        return b.get(NDArrayIndex.interval(r[0], r[1]));
    }

    @Override
    public Tensor forward(Tensor x) {
        // f: identity now, all-reduce of dL/dx in backward (x feeds every rank's columns)
        return Ops.linear(TensorParallelOps.f(x, communicator()), weight(), bias());
    }
}
