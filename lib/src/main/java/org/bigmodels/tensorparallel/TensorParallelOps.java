package org.bigmodels.tensorparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two communication operators of Megatron-LM tensor parallelism, as differentiable ops of the course engine
 * (Shoeybi et al., "Megatron-LM: Training multi-billion parameter language models using model parallelism", 2019,
 * §3, Figure 3). They are conjugate: each is the other's backward.
 * <pre>
 *   f  (enter a parallel region):  forward  y = x              (every rank already holds the whole x)
 *                                  backward dx = Σ_ranks dy     (one all-reduce of x's size)
 *   g  (leave a parallel region):  forward  y = Σ_ranks x       (one all-reduce of x's size)
 *                                  backward dx = dy             (every rank already holds the whole dy)
 * </pre>
 * Why f all-reduces in backward: x feeds every rank's shard of the next layer, so the loss depends on x through
 * p paths and dL/dx is the sum of the p partial gradients. Why g needs nothing in backward: its output is the same
 * on every rank, so every rank already holds the same dL/dy.
 *
 * <p>Rules: every rank of {@code comm} calls f and g in the same order on arrays of the same shape (the graph is
 * the same on every rank, so backward reaches the f's in the same order too). The all-reduce is the
 * communicator's (ring by default: 2(p−1)/p·S bytes sent per rank for S bytes, 2(p−1) messages), and it waits at
 * most the communicator's time-out. With one rank both are the identity and send nothing.
 */
public final class TensorParallelOps {
    private TensorParallelOps() {}

    /**
     * Operator f: identity forward, all-reduce (sum) of the gradient in backward.
     *
     * @param x    [...] the same on every rank
     * @param comm the tensor-parallel group
     * @return a new node with x's value (a copy), whose backward sums dL/dy over the ranks before passing it to x
     */
    public static Tensor f(Tensor x, Communicator comm) {
        check(x, comm, "f");
        return Tensor.fromOp("tp.f", x.value().dup('c'), g -> {
            if (x.requiresGrad()) x.accumulateGrad(allReduced(g, comm));
        }, x);
    }

    /**
     * Operator g: all-reduce (sum) forward, identity backward.
     *
     * @param x    [...] this rank's partial sum (same shape on every rank)
     * @param comm the tensor-parallel group
     * @return the sum of x over the ranks, the same on every rank
     */
    public static Tensor g(Tensor x, Communicator comm) {
        check(x, comm, "g");
        return Tensor.fromOp("tp.g", allReduced(x.value(), comm), grad -> {
            if (x.requiresGrad()) x.accumulateGrad(grad);
        }, x);
    }

    /** A row-major copy of {@code a}, summed over the ranks (the copy itself when there is one rank). */
    static INDArray allReduced(INDArray a, Communicator comm) {
        INDArray out = a.dup('c');
        if (comm.worldSize() > 1) comm.allReduce(out.reshape(new long[] {out.length()}));
        return out;
    }

    private static void check(Tensor x, Communicator comm, String op) {
        if (x == null || comm == null) {
            throw new IllegalArgumentException("TensorParallelOps." + op + ": expected a tensor and a communicator, got "
                    + (x == null ? "a null tensor" : "a null communicator"));
        }
    }
}
