package org.bigmodels.tensorparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.LayerNorm;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Module;

/**
 * One rank's part of a pre-norm transformer {@link Block} split Megatron-style over p ranks: the layer norms
 * replicated (every rank computes them on the same input), attention with the heads split
 * ({@link ParallelAttention}), the MLP column-then-row ({@link ParallelMLP}). Per forward pass: two all-reduces of
 * B·T·C elements (after attention and after the MLP); per backward pass: two more (before each). Nothing else is
 * sent (Shoeybi et al. 2019, §3: "4 total communication operations in the forward and backward pass of a single
 * model parallel transformer layer").
 *
 * <p>Built from a dense Block by copying its weights and taking this rank's shards; equal to it (forward, and
 * backward: each shard's gradient is the matching slice of the dense gradient, the replicated layer norms' gradients
 * are the dense ones on every rank) in evaluation mode or with dropout 0 (no dropout here). Shapes x [B, T, C] to
 * [B, T, C], the same on every rank.
 */
public class TensorParallelBlock extends Module implements Layer {
    private final LayerNorm ln1;
    private final ParallelAttention attn;
    private final LayerNorm ln2;
    private final ParallelMLP mlp;

    /**
     * @throws IllegalArgumentException when p does not divide the heads or the MLP width 4C
     */
    public TensorParallelBlock(Block dense, Communicator comm) {
        this.ln1 = child("ln1", DenseCopies.layerNorm(dense, "ln1"));
        this.attn = child("attn", new ParallelAttention(dense.attention(), comm));
        this.ln2 = child("ln2", DenseCopies.layerNorm(dense, "ln2"));
        this.mlp = child("mlp", new ParallelMLP(DenseCopies.linear(dense, "mlp.0"), Activation.GELU,
                DenseCopies.linear(dense, "mlp.2"), comm));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x.add(attn.forward(ln1.forward(x)));
        return h.add(mlp.forward(ln2.forward(h)));
    }

    /** The attention with this rank's heads. */
    public ParallelAttention attention() {
        return attn;
    }

    /** The column-then-row MLP. */
    public ParallelMLP mlp() {
        return mlp;
    }
}
