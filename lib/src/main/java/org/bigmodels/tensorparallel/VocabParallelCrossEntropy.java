package org.bigmodels.tensorparallel;

import java.util.Arrays;
import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean cross-entropy of logits split by vocabulary over the p ranks, without ever gathering the logits
 * (Shoeybi et al. 2019, §3: "fuse the output of the parallel GEMM with the cross-entropy loss", which cuts the
 * communication from B·T·V to B·T numbers). Rank r holds the columns [r·V/p, (r+1)·V/p) of the logits z of n = B·T
 * rows. For each row i with target t_i:
 * <pre>
 *   m_i   = max over ranks of (max_j z_ij on the rank)        all-gather of the n local maxima, then the max
 *   S_i   = Σ over ranks of Σ_j exp(z_ij − m_i)              } one all-reduce (sum) of 2n numbers
 *   zt_i  = Σ over ranks of (z_{i,t_i} − m_i if the rank owns t_i, else 0) }
 *   loss  = (1/n) Σ_i (log S_i − zt_i)
 * </pre>
 * The maximum is only for numerical safety (exp of large logits); the communicator offers sum collectives, so the
 * max is an all-gather of the p·n local maxima (each rank then takes the max itself). Backward needs no
 * communication: dL/dz_ij = (exp(z_ij − m_i)/S_i − [j = t_i]) / n on the rank owning column j.
 *
 * <p>Traffic per rank in forward (ring collectives, e bytes per element): (p−1)·n·e for the all-gather plus
 * 2(p−1)/p·2n·e for the all-reduce (exact when p divides 2n); nothing in backward. Arrays are sent in the logits'
 * type; sums and logarithms are computed in double.
 *
 * <p>Non-finite logits give what the dense {@link org.bigmodels.engine.Ops#crossEntropy} gives (checked by
 * {@code TensorParallelTest}): a −∞ logit is a zero probability (finite loss, zero gradient there); a +∞ or NaN logit
 * makes the loss NaN and its row's gradient NaN, as in the dense loss (the exp(∞ − ∞) of the max-shifted softmax).
 */
public final class VocabParallelCrossEntropy {
    private VocabParallelCrossEntropy() {}

    /**
     * The mean cross-entropy (nats per row), the same on every rank.
     *
     * @param logits  this rank's vocabulary columns [..., V/p] (e.g. a {@link ColumnParallelLinear} head's output)
     * @param targets [...] (the logits' leading shape), whole numbers in [0, V) with V = p·V/p, the same on every rank
     * @throws ShapeException           when the targets' shape is not the logits' leading shape
     * @throws IllegalArgumentException when a target is outside [0, V), naming its position
     */
    public static Tensor loss(Tensor logits, INDArray targets, Communicator comm) {
        INDArray z = logits.value();
        long[] leading = Arrays.copyOf(z.shape(), Math.max(0, z.rank() - 1));
        if (z.rank() < 2 || !Arrays.equals(targets.shape(), leading) || z.length() == 0) {
            throw new ShapeException("VocabParallelCrossEntropy", "logits [..., V/p] and targets [...] (the logits' "
                    + "leading shape)", "logits " + Arrays.toString(z.shape()) + ", targets "
                    + Arrays.toString(targets.shape()));
        }
        int p = comm.worldSize();
        int vl = (int) z.size(-1);
        long vocab = (long) vl * p, start = (long) comm.rank() * vl;
        double[] l = z.dup('c').data().asDouble();
        double[] tg = targets.dup('c').data().asDouble();
        int n = tg.length;
        for (int i = 0; i < n; i++) {
            if (!(tg[i] >= 0 && tg[i] < vocab && tg[i] == Math.rint(tg[i]))) {
                throw new IllegalArgumentException("VocabParallelCrossEntropy: target at flat position " + i + " is "
                        + tg[i] + "; expected a whole number in [0, " + vocab + ") (V = " + p + " ranks x " + vl
                        + " columns)");
            }
        }
        // 1. the global maximum of each row
        INDArray maxima = Nd4j.create(z.dataType(), (long) p * n);
        long[] bounds = Chunks.bounds((long) p * n, p);
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vl; j++) m = Math.max(m, l[i * vl + j]);
            maxima.putScalar(bounds[comm.rank()] + i, m);
        }
        if (p > 1) comm.allGather(maxima);
        double[] all = maxima.data().asDouble();
        double[] max = new double[n];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < p; r++) {
            for (int i = 0; i < n; i++) max[i] = Math.max(max[i], all[(int) bounds[r] + i]);
        }
        // 2. the sum of exponentials and the target's logit, summed over the ranks in one all-reduce
        double[] sums = new double[2 * n];
        for (int i = 0; i < n; i++) {
            long t = (long) tg[i];
            if (t >= start && t < start + vl) sums[n + i] = l[i * vl + (int) (t - start)] - max[i];
            double s = 0;
            for (int j = 0; j < vl; j++) {
                double e = Math.exp(l[i * vl + j] - max[i]);
                l[i * vl + j] = e; // keep exp(z - m) for backward
                s += e;
            }
            sums[i] = s;
        }
        INDArray reduced = Nd4j.createFromArray(sums).castTo(z.dataType());
        if (p > 1) comm.allReduce(reduced);
        double[] red = reduced.data().asDouble();
        double loss = 0;
        for (int i = 0; i < n; i++) loss += Math.log(red[i]) - red[n + i];
        loss /= n;
        INDArray out = Nd4j.scalar(z.dataType(), loss);
        return Tensor.fromOp("vocabParallelCrossEntropy", out, g -> {
            double scale = g.getDouble(0) / n;
            double[] d = new double[l.length];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < vl; j++) d[i * vl + j] = l[i * vl + j] / red[i] * scale;
                long t = (long) tg[i];
                if (t >= start && t < start + vl) d[i * vl + (int) (t - start)] -= scale;
            }
            logits.accumulateGrad(Nd4j.createFromArray(d).castTo(z.dataType()).reshape(z.shape()));
        }, logits);
    }
}
