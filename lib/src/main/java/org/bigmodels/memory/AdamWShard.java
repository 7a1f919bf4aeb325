package org.bigmodels.memory;

import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW (Loshchilov and Hutter 2019, Algorithm 2; the formula of {@link org.bigmodels.optim.Adam}) on one rank's slice
 * of a flat parameter vector: m and v exist for the slice only, 2 numbers per owned parameter (K = 8 bytes per
 * parameter in float32, over the slice: 8Ψ/W per rank). Per element of the slice, with its own step count t:
 * <pre>
 *   m = b1·m + (1-b1)·g;  v = b2·v + (1-b2)·g²;  w = w·(1 - lr·wd) - (lr/(1-b1^t)) · m / (sqrt(v/(1-b2^t)) + eps)
 * </pre>
 * computed in double and stored in the parameter's type. {@link #step} is ZeRO stage 1 on one vector;
 * {@link #updateSlice} is the update alone, for stages 2 and 3 where the reduced gradient slice is already at hand.
 */
public final class AdamWShard implements OptimizerShard {
    private final double lr, beta1, beta2, eps, weightDecay;
    private INDArray m, v;
    private long t;

    /**
     * @throws IllegalArgumentException unless lr &gt; 0, betas in [0, 1), eps &gt; 0, weightDecay &ge; 0, lr, eps and
     *                                  weightDecay finite
     */
    public AdamWShard(double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)
                || !(weightDecay >= 0) || !Double.isFinite(lr) || !Double.isFinite(eps)
                || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("AdamWShard: expected finite lr > 0, betas in [0, 1), finite eps > 0, "
                    + "finite weight decay >= 0; got lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                    + ", wd=" + weightDecay);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    public long[] shardBounds(long length, int worldSize) {
        return Chunks.bounds(length, worldSize);
    }

    @Override
    public void step(Communicator comm, INDArray params, INDArray localGrad) {
        checkFlat("params", params);
        checkFlat("localGrad", localGrad);
        if (params.length() != localGrad.length() || params.dataType() != localGrad.dataType()) {
            throw new IllegalArgumentException("AdamWShard.step: expected params and localGrad of the same length and "
                    + "type, got " + params.dataType() + "[" + params.length() + "] and " + localGrad.dataType() + "["
                    + localGrad.length() + "]");
        }
        int w = comm.worldSize(), r = comm.rank();
        long[] b = shardBounds(params.length(), w);
        INDArray work = localGrad.dup('c');
        comm.reduceScatter(work);                              // slice r of work: the sum over ranks of slice r
        INDArray wSlice = Chunks.chunk(params, b, r);
        if (wSlice.length() > 0) {                             // (an empty slice when length < W: ND4J refuses div)
            INDArray gSlice = Chunks.chunk(work, b, r).div(w); // the mean gradient of this rank's slice
            wSlice.assign(updateSlice(wSlice.dup('c'), gSlice));
        }
        comm.allGather(params);                                // every rank gets every updated slice
    }

    /**
     * Updates {@code wSlice} (flat, row-major, not a view, FLOAT or DOUBLE) in place with the mean gradient slice
     * {@code gSlice} of the same length, creating the state (zeros of the slice's length) on the first call.
     *
     * @return wSlice
     * @throws IllegalArgumentException if the lengths differ, or differ from the state's (a slice of another size)
     */
    public INDArray updateSlice(INDArray wSlice, INDArray gSlice) {
        long n = wSlice.length();
        if (gSlice.length() != n) {
            throw new IllegalArgumentException("AdamWShard.updateSlice: expected a gradient slice of " + n
                    + " elements, got " + gSlice.length());
        }
        if (m == null) {
            m = Nd4j.zeros(wSlice.dataType(), n);
            v = Nd4j.zeros(wSlice.dataType(), n);
        } else if (m.length() != n) {
            throw new IllegalArgumentException("AdamWShard.updateSlice: this shard's state has " + m.length()
                    + " elements but the slice has " + n + "; use one AdamWShard per slice");
        }
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t), shrink = 1 - lr * weightDecay;
        double[] wv = wSlice.toDoubleVector(), gv = gSlice.toDoubleVector(), mv = m.toDoubleVector(),
                vv = v.toDoubleVector();
        for (int i = 0; i < n; i++) {
            double g = gv[i];
            mv[i] = beta1 * mv[i] + (1 - beta1) * g;
            vv[i] = beta2 * vv[i] + (1 - beta2) * (g * g);
            wv[i] = wv[i] * shrink - (lr / c1) * (mv[i] / (Math.sqrt(vv[i] / c2) + eps));
        }
        DataType type = wSlice.dataType();
        m.assign(Nd4j.createFromArray(mv).castTo(type));
        v.assign(Nd4j.createFromArray(vv).castTo(type));
        wSlice.assign(Nd4j.createFromArray(wv).castTo(type).reshape(wSlice.shape()));
        return wSlice;
    }

    @Override
    public long stateBytes() {
        return m == null ? 0 : (m.length() + v.length()) * m.dataType().width();
    }

    /** The updates applied so far (the t of the bias correction). */
    public long steps() {
        return t;
    }

    private static void checkFlat(String what, INDArray a) {
        if (a == null || a.rank() != 1 || (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE)) {
            throw new IllegalArgumentException("AdamWShard.step: expected " + what + " as a flat (rank-1) FLOAT or "
                    + "DOUBLE array, got " + (a == null ? "null" : a.dataType() + java.util.Arrays.toString(a.shape()))
                    + "; flatten it with reshape(length)");
        }
    }
}
