package org.bigmodels.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small GPT, nanoGPT-style, in one file: token and position embeddings, {@code nLayer} transformer
 * {@link Block}s, a final layer norm and a linear head to vocabulary logits. ids [B, T] -> logits [B, T, V].
 * Parameters: "wte.weight", "wpe.weight", "blocks.i.*", "lnF.*", "head.weight", "head.bias". Taught in 04-tiny-gpt;
 * the model every later part parallelises and compresses.
 */
public class GPT extends Module {
    private final GPTConfig config;
    private final Embedding wte;
    private final Embedding wpe;
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear head;

    public GPT(GPTConfig config) {
        this.config = config;
        Random rng = Init.rng(config.seed());
        var type = config.dataType();
        this.wte = child("wte", new Embedding(config.vocabSize(), config.nEmbd(), type, rng));
        this.wpe = child("wpe", new Embedding(config.blockSize(), config.nEmbd(), type, rng));
        Sequential stack = child("blocks", new Sequential());
        for (int i = 0; i < config.nLayer(); i++) {
            Block b = new Block(config.nEmbd(), config.nHead(), config.dropout(), type, rng);
            blocks.add(b);
            stack.add(b);
        }
        this.lnF = child("lnF", new LayerNorm(config.nEmbd(), type));
        this.head = child("head", new Linear(config.nEmbd(), config.vocabSize(), type, rng));
        // small output weights: initial predictions near uniform, initial loss near ln(V)
        head.weight().value().muli(0.1);
    }

    /** Logits [B, T, V] for token ids [B, T] (T at most blockSize). */
    public Tensor forward(INDArray ids) {
        if (ids.rank() != 2 || ids.size(1) > config.blockSize() || ids.size(1) < 1) {
            throw new ShapeException("GPT", "token ids [B, T] with 1 <= T <= blockSize " + config.blockSize(),
                    java.util.Arrays.toString(ids.shape()));
        }
        long t = ids.size(1);
        Tensor x = wte.forward(ids).add(wpe.forward(Nd4j.arange(0, t).castTo(org.nd4j.linalg.api.buffer.DataType.INT)));
        if (isTraining() && config.dropout() > 0) x = Ops.dropout(x, config.dropout());
        for (Block b : blocks) x = b.forward(x);
        return head.forward(lnF.forward(x));
    }

    /** Mean next-token cross-entropy (nats per token) of ids [B, T] against targets [B, T]. */
    public Tensor loss(INDArray ids, INDArray targets) {
        return Ops.crossEntropy(forward(ids), targets);
    }

    /** The configuration this model was built from. */
    public GPTConfig config() {
        return config;
    }

    /** The {@code nLayer} transformer blocks, in order (unmodifiable). */
    public List<Block> blocks() {
        return Collections.unmodifiableList(blocks);
    }
}
