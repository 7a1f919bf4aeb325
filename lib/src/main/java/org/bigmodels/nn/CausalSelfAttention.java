package org.bigmodels.nn;

import java.util.List;
import java.util.Random;
import org.bigmodels.engine.FusedAttention;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head causal self-attention, as in GPT-2: one linear map makes queries, keys and values for all heads;
 * each head computes {@code softmax(mask(q·k^T / sqrt(d))) · v} over the positions it may see (itself and the
 * past); the heads are joined and projected back. Shapes: x [B, T, C] -> [B, T, C], with C = nEmbd = nHead * headDim.
 * Parameters: "qkv.weight" [C, 3C], "qkv.bias", "proj.weight" [C, C], "proj.bias". Taught in 04-tiny-gpt;
 * tensor parallelism (09) splits the heads across devices.
 */
public class CausalSelfAttention extends Module implements Layer {
    private final Linear qkv;
    private final Linear proj;
    private final int nHead;
    private final double dropout;
    private INDArray lastWeights;

    /**
     * @param nEmbd the width C of the input and output
     * @param nHead the number of heads; C must be a multiple of it
     * @throws IllegalArgumentException if nHead does not divide nEmbd
     */
    public CausalSelfAttention(long nEmbd, int nHead, double dropout, DataType type, Random rng) {
        if (nHead <= 0 || nEmbd % nHead != 0) {
            throw new IllegalArgumentException("CausalSelfAttention: nEmbd " + nEmbd + " must divide into nHead "
                    + nHead + " heads of equal size");
        }
        this.qkv = child("qkv", new Linear(nEmbd, 3 * nEmbd, type, rng));
        this.proj = child("proj", new Linear(nEmbd, nEmbd, type, rng));
        this.nHead = nHead;
        this.dropout = dropout;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.size(2) != qkv.in()) {
            throw new org.bigmodels.engine.ShapeException("CausalSelfAttention", "x [B, T, " + qkv.in() + "]",
                    java.util.Arrays.toString(x.shape()));
        }
        long b = x.size(0), t = x.size(1), c = x.size(2), hd = c / nHead;
        Tensor fused = qkv.forward(x);
        if (FusedAttention.usable(fused) && !(isTraining() && dropout > 0)) {
            // the same formula as the ops below, as one op without the copies (see FusedAttention)
            FusedAttention.Result r = FusedAttention.causal(fused, nHead);
            lastWeights = r.weights();
            return proj.forward(r.output());
        }
        List<Tensor> parts = Ops.chunk(fused, 2, 3);
        // [B, T, C] -> [B, T, H, hd] -> [B, H, T, hd]
        Tensor q = parts.get(0).reshape(b, t, nHead, hd).transpose(1, 2);
        Tensor k = parts.get(1).reshape(b, t, nHead, hd).transpose(1, 2);
        Tensor v = parts.get(2).reshape(b, t, nHead, hd).transpose(1, 2);
        Tensor scores = q.matmul(k.transpose(2, 3)).mul(1.0 / Math.sqrt(hd)); // [B, H, T, T]
        Tensor weights = Ops.causalMask(scores).softmax();
        lastWeights = weights.value();
        if (isTraining() && dropout > 0) {
            weights = Ops.dropout(weights, dropout);
        }
        Tensor y = weights.matmul(v).transpose(1, 2).reshape(b, t, c); // [B, H, T, hd] -> [B, T, C]
        return proj.forward(y);
    }

    /**
     * A copy of the attention weights [B, H, T, T] of the last forward pass (for plotting as a heatmap), or null before
     * the first. A copy: the array itself is the one backward reads (and, inside a Trainer, an arena array reused by
     * the next step), so changing the returned array (scaling it to percent for a plot) changes no gradient.
     */
    public INDArray lastAttentionWeights() {
        return lastWeights == null ? null : lastWeights.dup('c');
    }

    /** The number of heads. */
    public int nHead() {
        return nHead;
    }
}
