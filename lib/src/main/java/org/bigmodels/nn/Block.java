package org.bigmodels.nn;

import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A pre-norm transformer block: {@code x + attn(ln1(x))}, then {@code x + mlp(ln2(x))}, the MLP being
 * Linear(C, 4C), GELU, Linear(4C, C). Parameters under "ln1", "attn", "ln2", "mlp" ("mlp.0", "mlp.2").
 */
public class Block extends Module implements Layer {
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;
    private final double dropout;

    /** A block of width {@code nEmbd} with {@code nHead} attention heads (nEmbd a multiple of nHead). */
    public Block(long nEmbd, int nHead, double dropout, DataType type, Random rng) {
        this.ln1 = child("ln1", new LayerNorm(nEmbd, type));
        this.attn = child("attn", new CausalSelfAttention(nEmbd, nHead, dropout, type, rng));
        this.ln2 = child("ln2", new LayerNorm(nEmbd, type));
        this.mlp = child("mlp", new Sequential(new Linear(nEmbd, 4 * nEmbd, type, rng), Activation.GELU,
                new Linear(4 * nEmbd, nEmbd, type, rng)));
        this.dropout = dropout;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x.add(residualDropout(attn.forward(ln1.forward(x))));
        return h.add(residualDropout(mlp.forward(ln2.forward(h))));
    }

    private Tensor residualDropout(Tensor t) {
        return isTraining() && dropout > 0 ? Ops.dropout(t, dropout) : t;
    }

    /** The block's attention layer ("attn"), e.g. for {@link CausalSelfAttention#lastAttentionWeights()}. */
    public CausalSelfAttention attention() {
        return attn;
    }
}
