package org.bigmodels.memory;

import org.bigmodels.nn.ModelMath;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * 3D parallelism on paper: a GPT of {@link ModelMath.Size} laid out over d × p × t accelerators (data × pipeline ×
 * tensor), with {@link ModelMath}'s arithmetic (Narayanan et al., "Efficient Large-Scale Language Model Training on
 * GPU Clusters Using Megatron-LM", SC 2021, sections 2-3; the 175B run of that paper used t = 8, p = 8 or more).
 *
 * <p>Assumptions, stated once: every layer is cut t ways (Megatron tensor parallelism: all of a block's weights),
 * the layers are split evenly into p stages (embeddings counted on the first stage only, the tied head shares them),
 * model states in mixed precision as in the ZeRO paper (2 bytes weights + 2 gradients + K = 12 of fp32 master weights
 * and Adam's m and v), with ZeRO stage 1 over the d data-parallel replicas when {@code zero1}; activations per
 * micro-batch of b sequences of s tokens in 16 bits with full recomputation (only each layer's input kept: 2·s·b·h
 * bytes per layer, not divided by t:
 * no sequence parallelism, the conservative choice) and at most p micro-batches in flight (1F1B); the bubble (p − 1)/(m + p − 1) for m micro-batches per step;
 * communication per step and device: tensor parallelism 4 all-reduces per layer and micro-batch (2 forward, 2
 * backward) of s·b·h 16-bit values, each 2(t−1)/t of its size on a ring; pipeline parallelism one activation of
 * s·b·h 16-bit values sent forward and one gradient back per micro-batch and stage boundary; data parallelism one
 * all-reduce of the stage's gradient shard, 2(d−1)/d · 2·Ψ/(p·t) bytes.
 *
 * @param model      the model (e.g. {@link ModelMath#GPT3})
 * @param data       d, data-parallel degree
 * @param pipeline   p, pipeline stages
 * @param tensor     t, tensor-parallel degree
 * @param microBatch b, sequences per micro-batch
 * @param microBatches m, micro-batches per step per pipeline
 * @param zero1      whether the optimizer state is partitioned over the d replicas
 */
public record ParallelLayout(ModelMath.Size model, int data, int pipeline, int tensor, int microBatch,
                             int microBatches, boolean zero1) {

    /**
     * @throws IllegalArgumentException for a degree below 1, more stages than layers, heads or width not divisible
     *                                  by t, or layers not divisible by p
     */
    public ParallelLayout {
        if (model == null || data < 1 || pipeline < 1 || tensor < 1 || microBatch < 1 || microBatches < 1) {
            throw new IllegalArgumentException("ParallelLayout: expected a model and degrees, micro-batch size and "
                    + "count >= 1, got d=" + data + " p=" + pipeline + " t=" + tensor + " b=" + microBatch + " m="
                    + microBatches);
        }
        if (pipeline > model.nLayer() || model.nLayer() % pipeline != 0) {
            throw new IllegalArgumentException("ParallelLayout: " + model.nLayer() + " layers cannot be split evenly "
                    + "into " + pipeline + " stages; choose p dividing the layer count");
        }
        if (model.nHead() % tensor != 0 || model.nEmbd() % tensor != 0) {
            throw new IllegalArgumentException("ParallelLayout: tensor parallelism t=" + tensor + " must divide the "
                    + "heads (" + model.nHead() + ") and the width (" + model.nEmbd() + ")");
        }
    }

    /** d·p·t accelerators. */
    public long devices() {
        return (long) data * pipeline * tensor;
    }

    /** Parameters held by one device: its stage's layers (and the first stage's embeddings), cut t ways. */
    public double parametersPerDevice() {
        long c = model.nEmbd();
        double perBlock = 12.0 * c * c + 13.0 * c;
        double embeddings = ((double) model.vocabSize() + model.blockSize()) * c;
        return (perBlock * model.nLayer() / pipeline + embeddings) / tensor;
    }

    /** Model-state bytes per device: (2 + 2)·Ψ_dev + 12·Ψ_dev (÷ d with ZeRO-1). */
    public double modelStateBytes() {
        double psi = parametersPerDevice();
        return 4 * psi + 12 * psi / (zero1 ? data : 1);
    }

    /** Activation bytes per device: p micro-batches in flight × layers per stage × 2·s·b·h (recomputation). */
    public double activationBytes() {
        return (double) pipeline * (model.nLayer() / pipeline) * 2.0 * model.blockSize() * microBatch * model.nEmbd();
    }

    /** The pipeline bubble fraction (p − 1)/(m + p − 1). */
    public double bubble() {
        return (pipeline - 1.0) / (microBatches + pipeline - 1.0);
    }

    /** Bytes one device sends per step: tensor-parallel all-reduces + pipeline sends + the data-parallel all-reduce. */
    public double communicationBytes() {
        double act = 2.0 * model.blockSize() * microBatch * model.nEmbd();           // one 16-bit activation
        double tp = tensor == 1 ? 0 : 4.0 * (model.nLayer() / pipeline) * microBatches * act * 2 * (tensor - 1) / tensor;
        double pp = pipeline == 1 ? 0 : 2.0 * microBatches * act;
        double dp = data == 1 ? 0 : 2.0 * (data - 1) / data * 2.0 * parametersPerDevice();
        return tp + pp + dp;
    }

    /** Sequences per step: d · m · b. */
    public long globalBatch() {
        return (long) data * microBatches * microBatch;
    }

    /** One row per layout: degrees, devices, memory per device (GiB), bubble, communication per step (GiB). */
    public static Table table(java.util.List<ParallelLayout> layouts) {
        Table t = Table.create("3D layouts of " + (layouts.isEmpty() ? "" : layouts.get(0).model().name()),
                IntColumn.create("d"), IntColumn.create("p"), IntColumn.create("t"), IntColumn.create("devices"),
                StringColumn.create("ZeRO-1"), DoubleColumn.create("params/device (B)"),
                DoubleColumn.create("model states (GiB)"), DoubleColumn.create("activations (GiB)"),
                DoubleColumn.create("bubble"), DoubleColumn.create("sent/step (GiB)"));
        for (ParallelLayout l : layouts) {
            t.intColumn(0).append(l.data());
            t.intColumn(1).append(l.pipeline());
            t.intColumn(2).append(l.tensor());
            t.intColumn(3).append((int) l.devices());
            t.stringColumn(4).append(l.zero1() ? "yes" : "no");
            t.doubleColumn(5).append(l.parametersPerDevice() / 1e9);
            t.doubleColumn(6).append(l.modelStateBytes() / (1L << 30));
            t.doubleColumn(7).append(l.activationBytes() / (1L << 30));
            t.doubleColumn(8).append(l.bubble());
            t.doubleColumn(9).append(l.communicationBytes() / (1L << 30));
        }
        return t;
    }
}
