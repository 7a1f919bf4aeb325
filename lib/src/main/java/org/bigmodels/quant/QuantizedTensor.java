package org.bigmodels.quant;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A tensor stored as integers plus its {@link QuantParams}: q (INT32 values in the format's range) and (S, Z). */
public final class QuantizedTensor {
    private final QuantParams params;
    private final INDArray ints;

    /** @throws IllegalArgumentException if q holds values outside the format's range or does not fit the params */
    public QuantizedTensor(QuantParams params, INDArray ints) {
        params.indexMap(ints.shape());
        int[] v = ints.castTo(DataType.INT).dup('c').data().asInt();
        for (int q : v) {
            if (q < params.format().qmin() || q > params.format().qmax()) {
                throw new IllegalArgumentException("QuantizedTensor: value " + q + " outside " + params.format());
            }
        }
        this.params = params;
        this.ints = ints.castTo(DataType.INT).dup('c');
    }

    /** Quantizes x with p. */
    public static QuantizedTensor of(INDArray x, QuantParams p) {
        return new QuantizedTensor(p, p.quantize(x));
    }

    public QuantParams params() {
        return params;
    }

    /** The integers, INT32 (a copy). */
    public INDArray ints() {
        return ints.dup();
    }

    public long[] shape() {
        return ints.shape();
    }

    /** The real values, FLOAT. */
    public INDArray dequantize() {
        return params.dequantize(ints);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizedTensor t && t.ints.equals(ints) && Arrays.equals(t.params.scales(), params.scales())
                && Arrays.equals(t.params.zeroPoints(), params.zeroPoints()) && t.params.format().equals(params.format())
                && t.params.axis() == params.axis() && t.params.groupSize() == params.groupSize();
    }

    @Override
    public int hashCode() {
        return ints.hashCode();
    }
}
