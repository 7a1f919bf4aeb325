package org.bigmodels.quant;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A calibration observer: sees tensors (weights, or activations batch by batch) and proposes the real range
 * [lo, hi] that a quantizer maps onto its integer grid (Krishnamoorthi 2018, section 3.2; PyTorch's observers).
 * Wider ranges clip less but round more coarsely; each implementation picks a different trade-off.
 */
public interface RangeObserver {
    /**
     * Records a tensor's values.
     *
     * @throws IllegalArgumentException if x is empty or holds NaN or infinity
     */
    void observe(INDArray x);

    /**
     * The proposed clipping range {lo, hi}, lo <= hi.
     *
     * @throws IllegalStateException if nothing was observed yet (calibration data empty)
     */
    double[] range();

    /** The number of values observed so far. */
    long count();

    /** The values of x as doubles, checked: non-empty and finite. */
    static double[] checkedValues(INDArray x, String who) {
        if (x == null || x.isEmpty() || x.length() == 0) {
            throw new IllegalArgumentException(who + ": expected calibration data, got an empty tensor");
        }
        double[] v = QuantParams.values(x);
        for (double d : v) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(who + ": calibration data holds " + d
                        + "; fix the model or data before quantizing (a range cannot contain it)");
            }
        }
        return v;
    }

    static IllegalStateException nothingObserved(String who) {
        return new IllegalStateException(who + ": no calibration data observed; call observe(x) on at least one "
                + "non-empty tensor (e.g. a few batches of activations) before asking for the range");
    }
}
