package org.bigmodels.quant;

import java.util.ArrayList;
import java.util.List;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Linear;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weight-only round-to-nearest (RTN) quantization with one (S, Z) per group: each output column of a weight W [in, out]
 * is cut into groups of {@code groupSize} consecutive input rows, each group quantized affinely onto unsigned b-bit
 * integers over its own min-max range (the "INT4, g128" baseline of GPTQ, Frantar et al. 2023, and AWQ, Lin et al.
 * 2023, section 4.1). Smaller groups follow the weights' local range more closely, at the cost of one scale and zero
 * point per group. Applied to a {@link GPT}: the Linear layers of its transformer blocks (qkv, proj, mlp.0, mlp.2);
 * the embeddings, layer norms and the output head stay float, as in AWQ.
 */
public final class GroupwiseRTN {
    private GroupwiseRTN() {}

    /** The quantizer: affine unsigned b-bit, groups of groupSize rows per output column of W [in, out]. */
    public static Quantizer quantizer(int bits, int groupSize) {
        return Quantizer.affine(bits).perGroup(1, groupSize);
    }

    /**
     * W [in, out] fake-quantized group-wise (float -> int -> float), same shape and type. A group size larger than in
     * means one group per column (per output channel), so one group size (AWQ's 128) serves layers of any width.
     *
     * @throws IllegalArgumentException if bits is outside 2..8 or a group is all zeros
     * @throws org.bigmodels.engine.ShapeException if W is not rank 2 or in is not a multiple of groupSize
     */
    public static INDArray quantize(INDArray w, int bits, int groupSize) {
        long in = w.rank() == 2 ? w.size(0) : groupSize;
        return quantizer(bits, (int) Math.min(groupSize, in)).fakeQuantize(w);
    }

    /** A copy of the GPT with every block Linear's weight group-wise RTN-quantized; the model passed in is unchanged. */
    public static GPT quantize(GPT model, int bits, int groupSize) {
        GPT copy = copy(model);
        for (Linear l : blockLinears(copy)) l.weight().value().assign(quantize(l.weight().value(), bits, groupSize));
        return copy;
    }

    /** A new GPT of the same configuration holding a copy of every parameter. */
    public static GPT copy(GPT model) {
        GPT copy = new GPT(model.config());
        synchronized (model) { // not in the middle of another thread's capture (LinearInputs), which switches the mode
            var from = model.namedParameters();
            copy.namedParameters().forEach((name, t) -> t.value().assign(from.get(name).value()));
            copy.train(model.isTraining());
        }
        return copy;
    }

    /** A GPT's block-Linear inputs on calibration token ids and a copy of the GPT, taken together. */
    record Calibrated(java.util.Map<Linear, INDArray> inputs, GPT copy) {}

    /**
     * The inputs of every Linear of {@code model} on {@code calibration} [B, T] ({@link LinearInputs#capture}) and a
     * copy of the model, under the model's lock: the capture switches the model to evaluation mode and back, so
     * concurrent callers on one model take turns (and the copy keeps the caller's mode).
     */
    static Calibrated captureAndCopy(GPT model, INDArray calibration) {
        synchronized (model) {
            var inputs = LinearInputs.capture(model, () -> model.forward(calibration));
            return new Calibrated(inputs, copy(model));
        }
    }

    /** The Linear layers inside the transformer blocks, block by block (qkv, proj, mlp.0, mlp.2). */
    public static List<Linear> blockLinears(GPT model) {
        List<Linear> out = new ArrayList<>();
        for (Block b : model.blocks()) out.addAll(LinearInputs.linears(b));
        return out;
    }
}
