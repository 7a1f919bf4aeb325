package org.bigmodels.compression;

/**
 * The error-feedback loop shared by every compressor here: {@code v = g + r; c = encode(v); r = v - decode(c)}.
 * Subclasses only say how to {@link #encode} a vector; the residual (float[length]) lives here.
 *
 * <p>Source: Strom, "Scalable distributed DNN training using commodity GPU cloud computing", Interspeech 2015
 * (residual of the threshold quantizer); Seide et al., "1-bit stochastic gradient descent and its application to
 * data-parallel distributed training of speech DNNs", Interspeech 2014 ("error feedback"). With sparsification the
 * subtraction is exact (a kept element decodes to itself, a dropped one to 0), so the contract of
 * {@link GradientCompressor} holds bit for bit; with quantization it holds up to one float rounding per step.
 */
public abstract class ErrorFeedbackCompressor implements GradientCompressor {
    private float[] residual;

    /** Encodes {@code corrected} (= gradient + residual, float[length], finite); must not modify it. */
    protected abstract CompressedGradient encode(float[] corrected);

    @Override
    public final CompressedGradient compress(float[] gradient) {
        if (gradient == null || gradient.length == 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected a non-empty gradient, got "
                    + (gradient == null ? "null" : "length 0"));
        }
        if (residual == null) residual = new float[gradient.length];
        if (gradient.length != residual.length) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": gradient length " + gradient.length
                    + " differs from the first call's " + residual.length + "; use one compressor per tensor");
        }
        float[] v = new float[gradient.length];
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(gradient[i])) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": gradient[" + i + "] = "
                        + gradient[i] + " is not finite; fix the loss (or clip) before compressing");
            }
            v[i] = gradient[i] + residual[i];
        }
        CompressedGradient c = encode(v);
        float[] sent = c.decode();
        for (int i = 0; i < v.length; i++) residual[i] = v[i] - sent[i];
        return c;
    }

    @Override
    public final float[] residual() {
        return residual == null ? new float[0] : residual.clone();
    }

    @Override
    public final void reset() {
        residual = null;
    }
}
