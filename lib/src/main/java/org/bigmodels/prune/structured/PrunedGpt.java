package org.bigmodels.prune.structured;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.engine.FusedAttention;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.Init;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.LayerNorm;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.bigmodels.nn.Sequential;
import org.bigmodels.train.Checkpoint;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link GPT} whose blocks may have fewer attention heads and MLP channels than the configuration says: block i has
 * {@code heads()[i]} heads of the original head size {@code nEmbd / nHead} (its qkv.weight is [C, 3·h·hd], its
 * proj.weight [h·hd, C]) and an MLP of {@code mlpWidths()[i]} channels (mlp.0.weight [C, m], mlp.2.weight [m, C]).
 * The width C of the residual stream, the embeddings and the head are unchanged. Parameter names are the GPT's, so
 * {@code PrunedGpt.of(gpt)} has the same parameters and computes the same logits as the GPT (tested). Made by
 * {@link GptPruner}; trained with the course Trainer like a GPT; saved with {@link #save} (the course checkpoint
 * format, plus three LONG entries "arch/config", "arch/heads", "arch/mlp" describing the shape) and read back with
 * {@link #load}.
 */
public class PrunedGpt extends Module {
    private final GPTConfig config;
    private final int[] heads;
    private final int[] mlpWidths;
    private final Embedding wte;
    private final Embedding wpe;
    private final List<PrunedBlock> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear head;

    /**
     * A freshly initialised model (random weights; {@link #of} and {@link GptPruner} copy weights in).
     *
     * @param heads     heads kept per block, each in [1, nHead]
     * @param mlpWidths MLP channels kept per block, each in [1, 4·nEmbd]
     * @throws IllegalArgumentException if the arrays are not nLayer long or a count is out of range
     */
    public PrunedGpt(GPTConfig config, int[] heads, int[] mlpWidths) {
        if (heads.length != config.nLayer() || mlpWidths.length != config.nLayer()) {
            throw new IllegalArgumentException("PrunedGpt: expected " + config.nLayer() + " head counts and MLP widths "
                    + "(one per block), got " + Arrays.toString(heads) + " and " + Arrays.toString(mlpWidths));
        }
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] < 1 || heads[i] > config.nHead() || mlpWidths[i] < 1 || mlpWidths[i] > 4 * config.nEmbd()) {
                throw new IllegalArgumentException("PrunedGpt: block " + i + " needs 1.." + config.nHead()
                        + " heads and 1.." + 4 * config.nEmbd() + " MLP channels, got " + heads[i] + " and "
                        + mlpWidths[i] + " (a block with no head or no channel is not supported)");
            }
        }
        this.config = config;
        this.heads = heads.clone();
        this.mlpWidths = mlpWidths.clone();
        Random rng = Init.rng(config.seed());
        DataType type = config.dataType();
        this.wte = child("wte", new Embedding(config.vocabSize(), config.nEmbd(), type, rng));
        this.wpe = child("wpe", new Embedding(config.blockSize(), config.nEmbd(), type, rng));
        Sequential stack = child("blocks", new Sequential());
        int hd = config.nEmbd() / config.nHead();
        for (int i = 0; i < config.nLayer(); i++) {
            PrunedBlock b = new PrunedBlock(config.nEmbd(), heads[i], hd, mlpWidths[i], type, rng);
            blocks.add(b);
            stack.add(b);
        }
        this.lnF = child("lnF", new LayerNorm(config.nEmbd(), type));
        this.head = child("head", new Linear(config.nEmbd(), config.vocabSize(), type, rng));
    }

    /** A PrunedGpt with all of the GPT's heads and channels and a copy of its weights (same logits). */
    public static PrunedGpt of(GPT gpt) {
        GPTConfig c = gpt.config();
        int[] h = new int[c.nLayer()], m = new int[c.nLayer()];
        Arrays.fill(h, c.nHead());
        Arrays.fill(m, 4 * c.nEmbd());
        PrunedGpt out = new PrunedGpt(c, h, m);
        gpt.namedParameters().forEach((n, p) -> out.parameter(n).value().assign(p.value()));
        return out;
    }

    /** A deep copy (same shape and weights). */
    public PrunedGpt copy() {
        PrunedGpt out = new PrunedGpt(config, heads, mlpWidths);
        namedParameters().forEach((n, p) -> out.parameter(n).value().assign(p.value()));
        return out;
    }

    /** Logits [B, T, V] for token ids [B, T] (1 <= T <= blockSize), as {@link GPT#forward(INDArray)}. */
    public Tensor forward(INDArray ids) {
        if (ids.rank() != 2 || ids.size(1) > config.blockSize() || ids.size(1) < 1) {
            throw new ShapeException("PrunedGpt", "token ids [B, T] with 1 <= T <= blockSize " + config.blockSize(),
                    Arrays.toString(ids.shape()));
        }
        long t = ids.size(1);
        Tensor x = wte.forward(ids).add(wpe.forward(Nd4j.arange(0, t).castTo(DataType.INT)));
        if (isTraining() && config.dropout() > 0) x = Ops.dropout(x, config.dropout());
        for (PrunedBlock b : blocks) x = b.forward(x);
        return head.forward(lnF.forward(x));
    }

    /** Mean next-token cross-entropy (nats per token) of ids [B, T] against targets [B, T]. */
    public Tensor loss(INDArray ids, INDArray targets) {
        return Ops.crossEntropy(forward(ids), targets);
    }

    /** The configuration of the model this was pruned from (nHead and 4·nEmbd are the upper bounds per block). */
    public GPTConfig config() {
        return config;
    }

    /** Heads per block (a copy). */
    public int[] heads() {
        return heads.clone();
    }

    /** MLP channels per block (a copy). */
    public int[] mlpWidths() {
        return mlpWidths.clone();
    }

    /** The blocks in order (unmodifiable). */
    public List<PrunedBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** Writes the weights and the shape (the config, heads and MLP widths) to {@code file}, atomically. */
    public void save(Path file) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> values.put(n, p.value()));
        GPTConfig c = config;
        values.put("arch/config", Nd4j.createFromArray(new long[] {c.vocabSize(), c.blockSize(), c.nLayer(),
                c.nHead(), c.nEmbd(), c.dataType() == DataType.DOUBLE ? 1 : 0, c.seed(),
                Double.doubleToLongBits(c.dropout())}));
        values.put("arch/heads", Nd4j.createFromArray(Arrays.stream(heads).asLongStream().toArray()));
        values.put("arch/mlp", Nd4j.createFromArray(Arrays.stream(mlpWidths).asLongStream().toArray()));
        Checkpoint.write(values, file);
    }

    /**
     * Reads a model written by {@link #save}.
     *
     * @throws IllegalArgumentException if the file is damaged or not a PrunedGpt checkpoint (no "arch/" entries),
     *                                  or its weights do not fit the recorded shape
     */
    public static PrunedGpt load(Path file) {
        Map<String, INDArray> values = Checkpoint.read(file);
        INDArray a = values.remove("arch/config"), h = values.remove("arch/heads"), m = values.remove("arch/mlp");
        if (a == null || h == null || m == null || a.length() != 8) {
            throw new IllegalArgumentException("PrunedGpt.load: " + file + " has no PrunedGpt shape (entries "
                    + "arch/config, arch/heads, arch/mlp written by PrunedGpt.save); found " + values.keySet());
        }
        long[] c = a.toLongVector();
        GPTConfig config = new GPTConfig((int) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4],
                Double.longBitsToDouble(c[7]), c[5] == 1 ? DataType.DOUBLE : DataType.FLOAT, c[6]);
        PrunedGpt out = new PrunedGpt(config, Arrays.stream(h.toLongVector()).mapToInt(v -> (int) v).toArray(),
                Arrays.stream(m.toLongVector()).mapToInt(v -> (int) v).toArray());
        Map<String, org.bigmodels.engine.Tensor> params = out.namedParameters();
        if (!params.keySet().equals(values.keySet())) {
            throw new IllegalArgumentException("PrunedGpt.load: " + file + " has parameters " + values.keySet()
                    + ", the recorded shape needs " + params.keySet());
        }
        params.forEach((n, p) -> {
            INDArray v = values.get(n);
            if (!Arrays.equals(v.shape(), p.shape())) {
                throw new IllegalArgumentException("PrunedGpt.load: " + file + ": parameter " + n + " has shape "
                        + Arrays.toString(v.shape()) + ", the recorded shape needs " + Arrays.toString(p.shape()));
            }
        });
        params.forEach((n, p) -> p.value().assign(values.get(n)));
        return out;
    }

    /**
     * A pre-norm transformer block as {@link org.bigmodels.nn.Block}, with {@code nHead} heads of size {@code headDim}
     * (nHead·headDim may be less than C) and an MLP of {@code mlpWidth} channels. Parameters "ln1", "attn", "ln2",
     * "mlp" ("mlp.0", "mlp.2"), as in Block.
     */
    public static final class PrunedBlock extends Module implements Layer {
        private final LayerNorm ln1;
        private final PrunedAttention attn;
        private final LayerNorm ln2;
        private final Sequential mlp;

        PrunedBlock(long nEmbd, int nHead, int headDim, int mlpWidth, DataType type, Random rng) {
            this.ln1 = child("ln1", new LayerNorm(nEmbd, type));
            this.attn = child("attn", new PrunedAttention(nEmbd, nHead, headDim, type, rng));
            this.ln2 = child("ln2", new LayerNorm(nEmbd, type));
            this.mlp = child("mlp", new Sequential(new Linear(nEmbd, mlpWidth, type, rng), Activation.GELU,
                    new Linear(mlpWidth, nEmbd, type, rng)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = x.add(attn.forward(ln1.forward(x)));
            return h.add(mlp.forward(ln2.forward(h)));
        }

        /** The attention layer. */
        public PrunedAttention attention() {
            return attn;
        }

        /** The MLP's first Linear [C, m] ("mlp.0"). */
        public Linear fc() {
            return (Linear) mlp.layers().get(0);
        }

        /** The MLP's second Linear [m, C] ("mlp.2"). */
        public Linear fcOut() {
            return (Linear) mlp.layers().get(2);
        }
    }

    /**
     * Causal self-attention with {@code nHead} heads of size {@code headDim}, whose joined width nHead·headDim may be
     * less than the model width C: qkv.weight [C, 3·nHead·headDim] (queries, then keys, then values, each head's
     * headDim columns in order), proj.weight [nHead·headDim, C]. The same computation as
     * {@link org.bigmodels.nn.CausalSelfAttention} (no attention dropout: pruned models are fine-tuned without it).
     */
    public static final class PrunedAttention extends Module implements Layer {
        private final Linear qkv;
        private final Linear proj;
        private final int nHead;
        private final int headDim;

        PrunedAttention(long nEmbd, int nHead, int headDim, DataType type, Random rng) {
            this.qkv = child("qkv", new Linear(nEmbd, 3L * nHead * headDim, type, rng));
            this.proj = child("proj", new Linear((long) nHead * headDim, nEmbd, type, rng));
            this.nHead = nHead;
            this.headDim = headDim;
        }

        @Override
        public Tensor forward(Tensor x) {
            if (x.rank() != 3 || x.size(2) != qkv.in()) {
                throw new ShapeException("PrunedAttention", "x [B, T, " + qkv.in() + "]", Arrays.toString(x.shape()));
            }
            long b = x.size(0), t = x.size(1), inner = (long) nHead * headDim;
            Tensor fused = qkv.forward(x);
            if (FusedAttention.usable(fused)) {
                return proj.forward(FusedAttention.causal(fused, nHead).output());
            }
            List<Tensor> parts = Ops.chunk(fused, 2, 3);
            Tensor q = parts.get(0).reshape(b, t, nHead, headDim).transpose(1, 2);
            Tensor k = parts.get(1).reshape(b, t, nHead, headDim).transpose(1, 2);
            Tensor v = parts.get(2).reshape(b, t, nHead, headDim).transpose(1, 2);
            Tensor scores = q.matmul(k.transpose(2, 3)).mul(1.0 / Math.sqrt(headDim));
            Tensor weights = Ops.causalMask(scores).softmax();
            return proj.forward(weights.matmul(v).transpose(1, 2).reshape(b, t, inner));
        }

        /** The number of heads kept. */
        public int nHead() {
            return nHead;
        }

        /** The size of each head. */
        public int headDim() {
            return headDim;
        }

        /** The joint query/key/value projection [C, 3·nHead·headDim]. */
        public Linear qkv() {
            return qkv;
        }

        /** The output projection [nHead·headDim, C]. */
        public Linear proj() {
            return proj;
        }
    }
}
