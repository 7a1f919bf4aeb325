package org.bigmodels.memory;

import org.bigmodels.engine.Tensor;
import java.util.Map;
import java.util.function.Function;
import org.bigmodels.engine.Ops;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation recomputation ("gradient checkpointing"; Chen et al., "Training Deep Nets with Sublinear Memory Cost",
 * 2016, section 3): a layer (typically a transformer block) whose forward pass runs without recording the graph, so
 * its inner activations are dropped as soon as its output exists; only its input is kept. In backward the layer's
 * forward is run once more with the graph on, from the kept input, and back-propagated at once. The gradients are
 * identical (the same operations on the same values); the price is one extra forward of the layer per step (about
 * a third more compute for a whole model: forward ≈ 2N, backward ≈ 4N FLOPs per token), the gain is that at most one
 * layer's inner activations are alive at a time. Measured in 10-memory-and-zero.
 *
 * <p>Built on {@link Tensor#fromOp}: the checkpoint is one op of the outer graph, with the layer's input as its
 * input. The layer's parameters get their gradients (and their {@link Tensor#onGradReady} hooks fire) inside that
 * op's backward, from the recomputed graph.
 *
 * <p>The layer must compute the same values twice: no dropout in training mode (its masks would be drawn again) and
 * no other randomness or state changed by forward. A hook run just before the recomputation ({@link #ActivationCheckpoint
 * (Layer, Runnable)}) lets ZeRO stage 3 all-gather the layer's parameters again.
 */
public final class ActivationCheckpoint implements Layer {
    private final Layer layer;
    private final Runnable beforeRecompute;
    // a parameter of one element given to fromOp as a second input, so that the checkpoint records a graph even when
    // its input is a constant (the layer's parameters are not inputs of the op: they get their gradients inside it)
    private final Tensor anchor = Tensor.param(Nd4j.zeros(DataType.FLOAT, 1));
    private int recomputations;

    /** Checkpoints {@code layer}. @throws IllegalArgumentException if it is null */
    public ActivationCheckpoint(Layer layer) {
        this(layer, () -> { });
    }

    /**
     * Checkpoints {@code layer}, calling {@code beforeRecompute} at the start of every recomputation (in backward).
     *
     * @throws IllegalArgumentException if an argument is null
     */
    public ActivationCheckpoint(Layer layer, Runnable beforeRecompute) {
        if (layer == null || beforeRecompute == null) {
            throw new IllegalArgumentException("ActivationCheckpoint: expected a layer and a hook, got a null");
        }
        this.layer = layer;
        this.beforeRecompute = beforeRecompute;
    }

    /**
     * The layer's output for {@code x}, with only {@code x} kept for backward. Under {@link Tensor#noGrad()} (or when
     * nothing needs a gradient) it is just the layer's forward.
     */
    @Override
    public Tensor forward(Tensor x) {
        if (!Tensor.isGradEnabled()) return layer.forward(x);
        Tensor y;
        try (var off = Tensor.noGrad()) {
            y = layer.forward(x);                  // no graph: the layer's inner activations die here
        }
        return Tensor.fromOp("checkpoint", y.value(), gradOut -> {
            beforeRecompute.run();
            recomputations++;
            try (var on = Tensor.setGradEnabled(true)) {
                Tensor xAgain = Tensor.param(x.value());          // a leaf standing for the input
                Tensor yAgain = layer.forward(xAgain);             // the recomputed graph, alive only in this call
                yAgain.backward(gradOut);                          // parameters accumulate their gradients here
                if (x.requiresGrad() && xAgain.grad() != null) x.accumulateGrad(xAgain.grad());
            }
        }, x, anchor);
    }

    /**
     * The mean next-token loss of a {@link GPT} (the computation of {@link GPT#loss}, written out block by block) with
     * each block run through {@code block}: {@code b -> new ActivationCheckpoint(b)} recomputes every block,
     * {@code b -> b} is the plain model. Dropout must be 0 (recomputation must see the same values).
     *
     * @throws IllegalArgumentException if the GPT has dropout in training mode
     */
    public static Tensor gptLoss(GPT model, INDArray ids, INDArray targets, Function<Block, Layer> block) {
        if (model.config().dropout() > 0 && model.isTraining()) {
            throw new IllegalArgumentException("ActivationCheckpoint.gptLoss: recomputing a block needs dropout 0 (got "
                    + model.config().dropout() + "); build the GPT without dropout or call model.train(false)");
        }
        if (ids.rank() != 2 || ids.size(1) > model.config().blockSize()) {
            throw new IllegalArgumentException("ActivationCheckpoint.gptLoss: expected token ids [B, T] with T <= "
                    + model.config().blockSize() + ", got " + java.util.Arrays.toString(ids.shape()));
        }
        Map<String, Module> c = model.children();
        long t = ids.size(1);
        Tensor x = ((Embedding) c.get("wte")).forward(ids)
                .add(((Embedding) c.get("wpe")).forward(Nd4j.arange(0, t).castTo(DataType.INT)));
        for (Block b : model.blocks()) x = block.apply(b).forward(x);
        Tensor logits = ((Layer) c.get("head")).forward(((Layer) c.get("lnF")).forward(x));
        return Ops.crossEntropy(logits, targets);
    }

    /** The layer checkpointed. */
    public Layer layer() {
        return layer;
    }

    /** How many times the layer's forward was run again in backward (one per backward through this checkpoint). */
    public int recomputations() {
        return recomputations;
    }
}
