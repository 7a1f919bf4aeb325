package org.bigmodels.exercises.lesson10;

import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.bigmodels.memory.OptimizerShard;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exercise 10.1, solution: ZeRO stage 1 (Rajbhandari et al. 2020, section 5.1) for one flat parameter vector; see
 * the stub in exercises/ for the task. Rank r keeps m and v for its slice only (8 bytes per owned parameter in
 * float32), reduce-scatters the gradients, updates its slice with AdamW and all-gathers the parameters.
 */
public final class StudentZero1Shard implements OptimizerShard {
    private final double lr, beta1, beta2, eps, weightDecay;
    private INDArray m, v;
    private long t;

    /** AdamW with these hyperparameters (weightDecay: decoupled, applied to every element of the vector). */
    public StudentZero1Shard(double lr, double beta1, double beta2, double eps, double weightDecay) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    public long[] shardBounds(long length, int worldSize) {
        if (length < 0 || worldSize < 1) {
            throw new IllegalArgumentException("StudentZero1Shard.shardBounds: expected length >= 0 and worldSize >= 1,"
                    + " got " + length + " and " + worldSize);
        }
        long[] b = new long[worldSize + 1];
        long base = length / worldSize, extra = length % worldSize;
        for (int r = 0; r < worldSize; r++) b[r + 1] = b[r] + base + (r < extra ? 1 : 0);
        return b;
    }

    @Override
    public void step(Communicator comm, INDArray params, INDArray localGrad) {
        if (params.rank() != 1 || localGrad.rank() != 1 || params.length() != localGrad.length()
                || params.dataType() != localGrad.dataType()) {
            throw new IllegalArgumentException("StudentZero1Shard.step: expected flat params and localGrad of the same "
                    + "length and type, got " + params.dataType() + java.util.Arrays.toString(params.shape()) + " and "
                    + localGrad.dataType() + java.util.Arrays.toString(localGrad.shape()));
        }
        int w = comm.worldSize(), r = comm.rank();
        long[] b = shardBounds(params.length(), w);
        INDArray sum = localGrad.dup('c');
        comm.reduceScatter(sum);
        INDArray mine = Chunks.chunk(params, b, r);
        int n = (int) mine.length();
        double[] g = n == 0 ? new double[0] : Chunks.chunk(sum, b, r).toDoubleVector();   // the sum over ranks
        for (int i = 0; i < n; i++) g[i] /= w;                                             // the mean
        double[] wv = n == 0 ? new double[0] : mine.toDoubleVector();
        if (m == null) {
            m = Nd4j.zeros(params.dataType(), n);
            v = Nd4j.zeros(params.dataType(), n);
        }
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        double[] mv = n == 0 ? new double[0] : m.toDoubleVector(), vv = n == 0 ? new double[0] : v.toDoubleVector();
        for (int i = 0; i < n; i++) {
            mv[i] = beta1 * mv[i] + (1 - beta1) * g[i];
            vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
            wv[i] = wv[i] * (1 - lr * weightDecay) - (lr / c1) * mv[i] / (Math.sqrt(vv[i] / c2) + eps);
        }
        DataType type = params.dataType();
        if (n > 0) {
            m.assign(Nd4j.createFromArray(mv).castTo(type));
            v.assign(Nd4j.createFromArray(vv).castTo(type));
            mine.assign(Nd4j.createFromArray(wv).castTo(type));
        }
        comm.allGather(params);
    }

    @Override
    public long stateBytes() {
        return m == null ? 0 : (m.length() + v.length()) * m.dataType().width();
    }
}
