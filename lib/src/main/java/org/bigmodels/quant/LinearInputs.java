package org.bigmodels.quant;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Calibration activations: the input of every {@link Linear} layer of a model during one forward pass, read off the
 * computation graph the engine records (each "linear" node's first input is the layer's input x [..., in]); no hook
 * in the model is needed. Used by activation-aware weight quantization ({@link ActivationAwareScaling}), which needs
 * each layer's input channels' magnitudes.
 */
public final class LinearInputs {
    private LinearInputs() {}

    /**
     * Runs {@code forward} once in evaluation mode with gradients recorded, and returns, for each Linear of
     * {@code model} that the pass used (by identity), its input flattened to rows [N, in] in DOUBLE. Holds the model's
     * lock meanwhile (it switches the model's mode and back), so concurrent captures of one model take turns.
     *
     * @throws IllegalStateException if the pass used none of the model's Linear layers
     */
    public static Map<Linear, INDArray> capture(Module model, Supplier<Tensor> forward) {
        synchronized (model) { // the mode switch below is visible to other threads: callers on one model take turns
            Map<Tensor, Linear> byWeight = new IdentityHashMap<>();
            for (Linear l : linears(model)) byWeight.put(l.weight(), l);
            boolean wasTraining = model.isTraining();
            model.train(false);
            Map<Linear, INDArray> out = new IdentityHashMap<>();
            try (var on = Tensor.setGradEnabled(true)) {
                Tensor y = forward.get();
                for (Tensor t : y.topologicalOrder()) {
                    if (!"linear".equals(t.op()) || t.inputs().size() < 2) continue;
                    Linear l = byWeight.get(t.inputs().get(1));
                    if (l == null) continue;
                    INDArray x = t.inputs().get(0).value();
                    out.put(l, x.reshape('c', x.length() / x.size(-1), x.size(-1)).castTo(DataType.DOUBLE).dup('c'));
                }
            } finally {
                model.train(wasTraining);
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("LinearInputs: the forward pass used none of the model's Linear layers; "
                        + "pass a forward of this model, e.g. () -> gpt.forward(ids)");
            }
            return out;
        }
    }

    /** Every Linear in the module tree, depth first in registration order. */
    public static List<Linear> linears(Module m) {
        List<Linear> out = new ArrayList<>();
        if (m instanceof Linear l) out.add(l);
        for (Module c : m.children().values()) out.addAll(linears(c));
        return out;
    }
}
