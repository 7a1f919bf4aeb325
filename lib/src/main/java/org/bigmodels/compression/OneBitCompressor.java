package org.bigmodels.compression;

/**
 * 1-bit quantization with error feedback: of {@code v = gradient + residual} send only the signs, and one scale for
 * the whole tensor, {@code scale = mean_i |v_i|}; the receiver applies {@code sign(v_i)·scale} (sign(0) = +). The
 * scale is the one that minimises the squared error of a sign encoding, which then equals
 * {@code ||v||² - ||v||₁²/length} (expand {@code ||v - s·sign(v)||²} and set its derivative in s to zero). Without error feedback sign
 * compression biases the update; with it, what is lost is carried to the next step.
 *
 * <p>Sources: Seide et al., "1-bit stochastic gradient descent and its application to data-parallel distributed
 * training of speech DNNs", Interspeech 2014 (1-bit quantization, error feedback; they use one reconstruction value
 * per sign and column, here one per tensor); Karimireddy et al., "Error feedback fixes SignSGD", ICML 2019.
 */
public final class OneBitCompressor extends ErrorFeedbackCompressor {

    @Override
    protected CompressedGradient encode(float[] v) {
        double sumAbs = 0;
        long[] bits = new long[(v.length + 63) / 64];
        for (int i = 0; i < v.length; i++) {
            sumAbs += Math.abs(v[i]);
            if (v[i] >= 0) bits[i >>> 6] |= 1L << (i & 63);
        }
        return new SignGradient(bits, v.length, (float) (sumAbs / v.length));
    }

    @Override
    public String toString() {
        return "OneBit";
    }
}
