package org.bigmodels.prune.structured;

import java.util.Arrays;
import java.util.List;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Linear;
import org.bigmodels.prune.structured.PrunedGpt.PrunedAttention;
import org.bigmodels.prune.structured.PrunedGpt.PrunedBlock;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Structured pruning of a GPT: whole attention heads and whole MLP channels removed per block, giving a smaller
 * dense {@link PrunedGpt}. Removing head h of a block deletes its query, key and value columns of qkv.weight
 * [C, 3·H·hd] (and of qkv.bias) and its hd rows of proj.weight [H·hd, C]; removing MLP channel j deletes column j
 * of mlp.0.weight [C, 4C], entry j of mlp.0.bias and row j of mlp.2.weight [4C, C]. The function is then exactly
 * that of the unpruned model with those heads' outputs and channels zeroed ({@link #masked}; tested). Heads are
 * ranked by {@link Importance#L1}/{@link Importance#L2} of their q, k, v weights or by {@link Importance#TAYLOR}
 * (Michel et al. 2019, "Are Sixteen Heads Really Better than One?", eq. 2: |Σ over the head's proj rows of
 * W·dL/dW|); channels by the norms of their mlp.0 column or by Taylor on mlp.2's rows. Blocks are numbered from 0.
 * Taught in 13-structured-pruning.
 */
public final class GptPruner {
    private GptPruner() {}

    /** Head scores [block][head] (larger = keep); {@code batch} (ids, targets) is needed for TAYLOR only. */
    public static double[][] headScores(PrunedGpt model, Importance importance, Batch batch) {
        List<PrunedBlock> blocks = model.blocks();
        double[][] s = new double[blocks.size()][];
        INDArray[] grads = importance == Importance.TAYLOR ? taylorGrads(model, batch, true) : null;
        for (int i = 0; i < blocks.size(); i++) {
            PrunedAttention a = blocks.get(i).attention();
            int h = a.nHead(), hd = a.headDim();
            INDArray w = a.qkv().weight().value();
            switch (importance) {
                case L1, L2 -> {
                    INDArray r = w.reshape('c', w.size(0), 3, h, hd);
                    INDArray n = importance == Importance.L1 ? r.norm1(0, 1, 3) : r.norm2(0, 1, 3);
                    s[i] = n.toDoubleVector();
                }
                case TAYLOR -> s[i] = Transforms.abs(grads[i].reshape('c', h, hd).sum(1), false).toDoubleVector();
                default -> throw unsupported(importance);
            }
        }
        return s;
    }

    /** MLP channel scores [block][channel] (larger = keep); {@code batch} is needed for TAYLOR only. */
    public static double[][] channelScores(PrunedGpt model, Importance importance, Batch batch) {
        List<PrunedBlock> blocks = model.blocks();
        double[][] s = new double[blocks.size()][];
        INDArray[] grads = importance == Importance.TAYLOR ? taylorGrads(model, batch, false) : null;
        for (int i = 0; i < blocks.size(); i++) {
            s[i] = switch (importance) {
                case L1 -> UnitSelection.norms(blocks.get(i).fc().weight().value(), 1, 1);
                case L2 -> UnitSelection.norms(blocks.get(i).fc().weight().value(), 1, 2);
                case TAYLOR -> Transforms.abs(grads[i], false).toDoubleVector();
                default -> throw unsupported(importance);
            };
        }
        return s;
    }

    /** As {@link #headScores(PrunedGpt, Importance, Batch)} for a GPT. */
    public static double[][] headScores(GPT gpt, Importance importance, Batch batch) {
        return headScores(PrunedGpt.of(gpt), importance, batch);
    }

    /** As {@link #channelScores(PrunedGpt, Importance, Batch)} for a GPT. */
    public static double[][] channelScores(GPT gpt, Importance importance, Batch batch) {
        return channelScores(PrunedGpt.of(gpt), importance, batch);
    }

    /**
     * Removes, in every block, the given fraction of heads and of MLP channels with the lowest scores.
     *
     * @param headFraction    fraction of each block's heads to remove, in [0, 1)
     * @param channelFraction fraction of each block's MLP channels to remove, in [0, 1)
     * @param batch           (ids, targets) for TAYLOR; may be null for L1 and L2
     * @throws IllegalArgumentException for a fraction outside [0, 1) or one that would remove every head or channel
     *                                  of a block, or MEAN_ACTIVATION (not defined here)
     */
    public static PrunedGpt prune(GPT gpt, double headFraction, double channelFraction, Importance importance,
                                  Batch batch) {
        return prune(PrunedGpt.of(gpt), headFraction, channelFraction, importance, batch);
    }

    /** As {@link #prune(GPT, double, double, Importance, Batch)} on an already pruned model (iterative pruning). */
    public static PrunedGpt prune(PrunedGpt model, double headFraction, double channelFraction, Importance importance,
                                  Batch batch) {
        double[][] hs = headScores(model, importance, batch), cs = channelScores(model, importance, batch);
        int[][] kh = new int[hs.length][], kc = new int[cs.length][];
        for (int i = 0; i < hs.length; i++) {
            kh[i] = UnitSelection.keep(hs[i], headFraction, "block " + i + " heads");
            kc[i] = UnitSelection.keep(cs[i], channelFraction, "block " + i + " MLP channels");
        }
        return prune(model, kh, kc);
    }

    /**
     * A new, smaller model keeping in block i the heads {@code keepHeads[i]} and MLP channels {@code keepChannels[i]}
     * (ascending indices; a null array, or a null row, keeps all of that block's).
     *
     * @throws IllegalArgumentException if an array is not nLayer long, or a row is empty, unsorted or out of range
     */
    public static PrunedGpt prune(PrunedGpt model, int[][] keepHeads, int[][] keepChannels) {
        int[][] kh = complete(model, keepHeads, true), kc = complete(model, keepChannels, false);
        int n = model.blocks().size();
        int[] heads = new int[n], widths = new int[n];
        for (int i = 0; i < n; i++) {
            heads[i] = kh[i].length;
            widths[i] = kc[i].length;
        }
        PrunedGpt out = new PrunedGpt(model.config(), heads, widths);
        model.namedParameters().forEach((name, p) -> {
            INDArray v = p.value();
            String[] parts = name.split("\\.");
            if (parts[0].equals("blocks")) {
                int i = Integer.parseInt(parts[1]);
                PrunedAttention a = model.blocks().get(i).attention();
                int inner = a.nHead() * a.headDim();
                int[] qkvCols = qkvColumns(kh[i], a.headDim(), inner), projRows = Slices.expand(kh[i], a.headDim());
                String local = name.substring(("blocks." + i + ".").length());
                v = switch (local) {
                    case "attn.qkv.weight" -> Slices.take(v, 1, qkvCols);
                    case "attn.qkv.bias" -> Slices.take(v, 0, qkvCols);
                    case "attn.proj.weight" -> Slices.take(v, 0, projRows);
                    case "mlp.0.weight" -> Slices.take(v, 1, kc[i]);
                    case "mlp.0.bias" -> Slices.take(v, 0, kc[i]);
                    case "mlp.2.weight" -> Slices.take(v, 0, kc[i]);
                    default -> v;
                };
            }
            out.parameter(name).value().assign(v);
        });
        return out;
    }

    /** As {@link #prune(PrunedGpt, int[][], int[][])} for a GPT. */
    public static PrunedGpt prune(GPT gpt, int[][] keepHeads, int[][] keepChannels) {
        return prune(PrunedGpt.of(gpt), keepHeads, keepChannels);
    }

    /**
     * A copy of the model, same shape, with the heads and channels not kept zeroed (their qkv columns and biases,
     * proj rows, mlp.0 columns and biases, mlp.2 rows set to 0): the reference a pruned model must match.
     */
    public static PrunedGpt masked(PrunedGpt model, int[][] keepHeads, int[][] keepChannels) {
        int[][] kh = complete(model, keepHeads, true), kc = complete(model, keepChannels, false);
        PrunedGpt out = model.copy();
        for (int i = 0; i < kh.length; i++) {
            PrunedBlock b = out.blocks().get(i);
            PrunedAttention a = b.attention();
            int inner = a.nHead() * a.headDim();
            int[] cols = qkvColumns(kh[i], a.headDim(), inner);
            Slices.zeroOthers(a.qkv().weight().value(), 1, cols);
            Slices.zeroOthers(a.qkv().bias().value(), 0, cols);
            Slices.zeroOthers(a.proj().weight().value(), 0, Slices.expand(kh[i], a.headDim()));
            Slices.zeroOthers(b.fc().weight().value(), 1, kc[i]);
            Slices.zeroOthers(b.fc().bias().value(), 0, kc[i]);
            Slices.zeroOthers(b.fcOut().weight().value(), 0, kc[i]);
        }
        return out;
    }

    /** The columns of qkv [C, 3·inner] that belong to the given heads: in q, then k, then v. */
    private static int[] qkvColumns(int[] heads, int headDim, int inner) {
        int[] one = Slices.expand(heads, headDim);
        int[] cols = new int[3 * one.length];
        for (int s = 0; s < 3; s++) {
            for (int k = 0; k < one.length; k++) cols[s * one.length + k] = s * inner + one[k];
        }
        return cols;
    }

    private static int[][] complete(PrunedGpt model, int[][] keep, boolean heads) {
        int n = model.blocks().size();
        if (keep != null && keep.length != n) {
            throw new IllegalArgumentException("GptPruner: expected one row of kept " + (heads ? "heads" : "channels")
                    + " per block (" + n + "), got " + keep.length + " rows; blocks are numbered 0.." + (n - 1));
        }
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            int total = heads ? model.blocks().get(i).attention().nHead() : (int) model.blocks().get(i).fc().out();
            if (keep == null || keep[i] == null) {
                out[i] = java.util.stream.IntStream.range(0, total).toArray();
            } else {
                UnitSelection.check(keep[i], total, "block " + i + (heads ? " heads" : " MLP channels"));
                out[i] = keep[i];
            }
        }
        return out;
    }

    /** Per block, Σ over columns of W ⊙ dL/dW of proj (heads, [inner]) or mlp.2 (channels, [m]) after one backward. */
    private static INDArray[] taylorGrads(PrunedGpt model, Batch batch, boolean heads) {
        if (batch == null) {
            throw new IllegalArgumentException("GptPruner: TAYLOR scores need a batch (ids [B, T], targets [B, T])");
        }
        model.zeroGrad();
        model.loss(batch.x(), batch.y()).backward();
        INDArray[] out = new INDArray[model.blocks().size()];
        for (int i = 0; i < out.length; i++) {
            Linear l = heads ? model.blocks().get(i).attention().proj() : model.blocks().get(i).fcOut();
            out[i] = l.weight().value().mul(l.weight().grad()).sum(1);
        }
        model.zeroGrad();
        return out;
    }

    private static IllegalArgumentException unsupported(Importance importance) {
        return new IllegalArgumentException("GptPruner: " + importance + " is not defined for heads and channels here;"
                + " use L1, L2 or TAYLOR (got " + importance + "; expected one of " + Arrays.toString(
                new Importance[] {Importance.L1, Importance.L2, Importance.TAYLOR}) + ")");
    }
}
