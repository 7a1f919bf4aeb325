package org.bigmodels.quant;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;

/**
 * Weight-only post-training quantization of an {@link MLP}: every Linear weight W [in, out] is replaced by its fake
 * quantization (float -> int -> float) under a {@link Quantizer}; biases and activations stay float. The model's
 * accuracy then shows what the rounding of the weights alone costs (Krishnamoorthi 2018, section 3.1; Nagel et al.
 * 2021, section 3). The model passed in is not changed.
 */
public final class WeightOnlyPTQ {
    private WeightOnlyPTQ() {}

    /**
     * A copy of the model whose weights are fake-quantized by q (per channel: {@code q.perChannel(1)}).
     *
     * @throws IllegalArgumentException if a weight (or one of its channels/groups) has a zero range
     */
    public static MLP quantize(MLP model, Quantizer q) {
        MLP copy = new MLP(model.sizes(), model.activation(), model.dataType(), 0);
        var from = model.namedParameters();
        copy.namedParameters().forEach((name, t) -> t.value().assign(from.get(name).value()));
        for (Linear l : copy.linears()) l.weight().value().assign(q.fakeQuantize(l.weight().value()));
        return copy;
    }

    /** The parameters q gives each Linear weight, by parameter name ("0.weight", "2.weight", ...). */
    public static Map<String, QuantParams> params(MLP model, Quantizer q) {
        Map<String, QuantParams> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, t) -> {
            if (name.endsWith("weight")) out.put(name, q.calibrate(t.value()));
        });
        return out;
    }
}
