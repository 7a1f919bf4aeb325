package org.bigmodels.tensorparallel;

import java.util.List;
import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.FusedAttention;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.CausalSelfAttention;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head causal self-attention with the heads split across the p ranks (Shoeybi et al. 2019, §3, Figure 3b):
 * rank r owns heads [r·H/p, (r+1)·H/p). Heads are independent, so each rank computes its own heads' attention
 * without communication; the query/key/value projection is column-parallel (each rank makes only its heads' q, k, v)
 * and the output projection row-parallel (rows of its heads), so the block needs one all-reduce in forward (after
 * the output projection, operator g) and one in backward (before the qkv projection, operator f), each of x's size.
 *
 * <p>The dense layer's qkv weight [C, 3C] holds q, k, v side by side (head h at columns h·d.. of each, d = C/H);
 * rank r's column-parallel shard is [C, 3C/p] = [q columns of its heads | k columns | v columns], the layout
 * {@link FusedAttention} and the dense code read with H/p heads. Shapes: x [B, T, C] (the same on every rank) to
 * y [B, T, C] (the same on every rank). No dropout: equal to the dense layer in evaluation mode or with dropout 0
 * (Megatron draws different dropout masks per rank from a separate generator; not done here).
 * Parameters: "qkv.weight" [C, 3C/p], "qkv.bias" [3C/p], "proj.weight" [C/p, C], "proj.bias" [C].
 */
public class ParallelAttention extends Module implements Layer {
    private final ColumnParallelLinear qkv;
    private final RowParallelLinear proj;
    private final int localHeads;
    private final long width;

    /**
     * @throws IllegalArgumentException when p does not divide the number of heads
     */
    public ParallelAttention(CausalSelfAttention dense, Communicator comm) {
        int p = comm.worldSize(), nHead = dense.nHead();
        ParallelLinear.range(nHead, comm.rank(), p, "the number of attention heads");
        INDArray w = dense.parameter("qkv.weight").value();
        INDArray b = dense.parameter("qkv.bias").value();
        long c = w.size(0);
        this.width = c;
        this.localHeads = nHead / p;
        // reorder the columns so that rank r's [q_r | k_r | v_r] are contiguous: block r of the reordered matrix
        long part = c / p;
        INDArray wr = Nd4j.create(w.dataType(), c, 3 * c);
        INDArray br = Nd4j.create(b.dataType(), 3 * c);
        for (int r = 0; r < p; r++) {
            for (int j = 0; j < 3; j++) {
                long src = j * c + r * part, dst = r * 3 * part + j * part;
                wr.get(NDArrayIndex.all(), NDArrayIndex.interval(dst, dst + part))
                        .assign(w.get(NDArrayIndex.all(), NDArrayIndex.interval(src, src + part)));
                br.get(NDArrayIndex.interval(dst, dst + part)).assign(b.get(NDArrayIndex.interval(src, src + part)));
            }
        }
        this.qkv = child("qkv", new ColumnParallelLinear(DenseCopies.linear(wr, br), comm));
        Linear denseProj = DenseCopies.linear(dense, "proj");
        this.proj = child("proj", new RowParallelLinear(denseProj, comm));
    }

    /** x [B, T, C] to y [B, T, C], both the same on every rank. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.size(2) != width) {
            throw new ShapeException("ParallelAttention", "x [B, T, " + width + "]", java.util.Arrays.toString(x.shape()));
        }
        long b = x.size(0), t = x.size(1);
        long cl = qkv.weight().size(1) / 3; // local width C/p: this rank's heads
        long hd = cl / localHeads;          // head size d = C/H, as in the dense layer
        Tensor fused = qkv.forward(x);      // [B, T, 3C/p]
        Tensor y;
        if (FusedAttention.usable(fused)) {
            y = FusedAttention.causal(fused, localHeads).output();
        } else {
            List<Tensor> parts = Ops.chunk(fused, 2, 3);
            Tensor q = parts.get(0).reshape(b, t, localHeads, hd).transpose(1, 2);
            Tensor k = parts.get(1).reshape(b, t, localHeads, hd).transpose(1, 2);
            Tensor v = parts.get(2).reshape(b, t, localHeads, hd).transpose(1, 2);
            Tensor scores = q.matmul(k.transpose(2, 3)).mul(1.0 / Math.sqrt(hd));
            Tensor weights = Ops.causalMask(scores).softmax();
            y = weights.matmul(v).transpose(1, 2).reshape(b, t, cl);
        }
        return proj.forward(y);
    }

    /** The number of heads on this rank (H/p). */
    public int localHeads() {
        return localHeads;
    }

    /** The column-parallel q, k, v projection (this rank's heads). */
    public ColumnParallelLinear qkv() {
        return qkv;
    }

    /** The row-parallel output projection. */
    public RowParallelLinear proj() {
        return proj;
    }
}
