package org.bigmodels.exercises.lesson14;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 14.2 (lesson 14-post-training-quantization): symmetric per-channel quantization of a Linear weight W of
 * shape [in, out] (the course's layout: y = x W), one scale per OUTPUT channel (Krishnamoorthi 2018, section 3.1).
 * Signed b-bit integers, zero point 0, the calibrated range mapped onto [-(2^(b-1) - 1), 2^(b-1) - 1].
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 14}.
 */
public final class StudentPerChannelScales {
    private StudentPerChannelScales() {}

    /** The scale of each output channel j of w [in, out]: length out. */
    public static double[] scales(INDArray w, int bits) {
        throw new UnsupportedOperationException("not implemented yet: StudentPerChannelScales.scales -- one scale per "
                + "output neuron, i.e. per COLUMN of [in, out]; the largest MAGNITUDE of the column (negative weights "
                + "count too) maps to the largest integer of the restricted signed range, which is 2^(b-1) - 1, not "
                + "2^(b-1)");
    }

    /** w fake-quantized (quantized then dequantized) with these per-column scales: same shape, same values type. */
    public static INDArray fakeQuantize(INDArray w, double[] scales, int bits) {
        throw new UnsupportedOperationException("not implemented yet: StudentPerChannelScales.fakeQuantize -- each "
                + "element uses the scale of its column; round to nearest, clamp to the signed range, multiply back");
    }
}
