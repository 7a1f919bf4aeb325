package org.bigmodels.tensorparallel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.LayerNorm;
import org.bigmodels.nn.Module;
import org.bigmodels.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One rank's part of a whole {@link GPT} split Megatron-style over p ranks: the token embedding vocabulary-parallel
 * ({@link VocabParallelEmbedding}), the position embedding and the final layer norm replicated, every block a
 * {@link TensorParallelBlock}, the head column-parallel over the vocabulary (each rank makes V/p logits) and the loss
 * {@link VocabParallelCrossEntropy} (the logits are never gathered).
 *
 * <p>Communication per training step (forward and backward), for n = B·T tokens, width C, L blocks, ring
 * collectives: forward 1 (embedding) + 2L (blocks) all-reduces of n·C elements, plus the loss's all-gather of p·n
 * maxima and all-reduce of 2n sums; backward 2L (blocks) + 1 (the head's operator f) all-reduces of n·C.
 * {@link TensorParallelTraffic} gives the bytes. Equal to the dense GPT (loss, and each shard's gradient the
 * matching slice of the dense one); a GPT with dropout is refused (no dropout is applied here).
 */
public class TensorParallelGPT extends Module {
    private final GPTConfig config;
    private final Communicator comm;
    private final VocabParallelEmbedding wte;
    private final Embedding wpe;
    private final List<TensorParallelBlock> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final ColumnParallelLinear head;

    /**
     * @throws IllegalArgumentException when p does not divide the vocabulary, the heads or 4C, or the GPT has dropout
     *                                  (the split blocks have none, so they could not give the dense model's results;
     *                                  as {@link org.bigmodels.pipeline.StagedModel#of} refuses it too)
     */
    public TensorParallelGPT(GPT dense, Communicator comm) {
        if (dense.config().dropout() > 0) {
            throw new IllegalArgumentException("TensorParallelGPT: expected a GPT without dropout (the tensor-parallel "
                    + "blocks apply none, so training would silently differ from the dense model), got dropout "
                    + dense.config().dropout() + "; build it with config.withDropout(0)");
        }
        this.config = dense.config();
        this.comm = comm;
        this.wte = child("wte", new VocabParallelEmbedding(DenseCopies.embedding(dense, "wte"), comm));
        this.wpe = child("wpe", DenseCopies.embedding(dense, "wpe"));
        Sequential stack = child("blocks", new Sequential());
        for (var b : dense.blocks()) {
            TensorParallelBlock tb = new TensorParallelBlock(b, comm);
            blocks.add(tb);
            stack.add(tb);
        }
        this.lnF = child("lnF", DenseCopies.layerNorm(dense, "lnF"));
        this.head = child("head", new ColumnParallelLinear(DenseCopies.linear(dense, "head"), comm));
    }

    /** This rank's logits [B, T, V/p] (vocabulary columns [r·V/p, (r+1)·V/p)) for ids [B, T]. */
    public Tensor forward(INDArray ids) {
        if (ids.rank() != 2 || ids.size(1) > config.blockSize() || ids.size(1) < 1) {
            throw new ShapeException("TensorParallelGPT", "token ids [B, T] with 1 <= T <= blockSize "
                    + config.blockSize(), java.util.Arrays.toString(ids.shape()));
        }
        long t = ids.size(1);
        Tensor x = wte.forward(ids).add(wpe.forward(Nd4j.arange(0, t).castTo(DataType.INT)));
        for (TensorParallelBlock b : blocks) x = b.forward(x);
        return head.forward(lnF.forward(x));
    }

    /** Mean next-token cross-entropy (nats per token), the same on every rank, without gathering the logits. */
    public Tensor loss(INDArray ids, INDArray targets) {
        return VocabParallelCrossEntropy.loss(forward(ids), targets, comm);
    }

    /** The blocks (unmodifiable). */
    public List<TensorParallelBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** The configuration of the dense model this was built from. */
    public GPTConfig config() {
        return config;
    }
}
