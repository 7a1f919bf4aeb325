package org.bigmodels.compression;

/**
 * Turns one worker's gradient for one tensor into what is sent, keeping what was not sent for later (error
 * feedback). One compressor per worker per tensor: it holds that tensor's residual.
 *
 * <p><b>Contract</b> (error feedback, Strom 2015; Seide et al. 2014, section 3): with residual {@code r} before the
 * call, {@code compress(g)} returns {@code c} and leaves the residual {@code r'} such that
 * {@code c.decode() + r' == g + r} element by element. Summed over steps: everything applied plus the final
 * residual equals everything computed, so no gradient is lost, only delayed. This is what the tests check, and what
 * a learner's own compressor (the exercise) must also satisfy.
 *
 * <p><b>Errors</b>: IllegalArgumentException for a null gradient, an empty one, a non-finite element (named by
 * index), or a length different from the first call's (the residual has that length).
 */
public interface GradientCompressor {

    /**
     * Adds the residual to {@code gradient}, encodes the sum, and keeps as the new residual what the encoding missed.
     * {@code gradient} is not modified.
     *
     * @param gradient a flat gradient (float[length]), the same length on every call
     * @return what is sent; its {@link CompressedGradient#decode()} is what the receiver applies
     */
    CompressedGradient compress(float[] gradient);

    /** A copy of the residual (float[length]); an empty array before the first call. */
    float[] residual();

    /** Forgets the residual (for example after a checkpoint restore that does not save it). */
    void reset();
}
