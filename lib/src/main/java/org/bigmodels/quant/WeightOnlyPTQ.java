package org.bigmodels.quant;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
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
        return quantize(model, layer -> q);
    }

    /**
     * A copy of the model whose Linear layer l (0, 1, ...) is fake-quantized by perLayer.apply(l) (e.g. a group size
     * that divides each layer's input size).
     */
    public static MLP quantize(MLP model, java.util.function.IntFunction<Quantizer> perLayer) {
        MLP copy = new MLP(model.sizes(), model.activation(), model.dataType(), 0);
        var from = model.namedParameters();
        copy.namedParameters().forEach((name, t) -> t.value().assign(from.get(name).value()));
        for (int l = 0; l < copy.linears().size(); l++) {
            INDArray w = copy.linears().get(l).weight().value();
            w.assign(perLayer.apply(l).fakeQuantize(w));
        }
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
