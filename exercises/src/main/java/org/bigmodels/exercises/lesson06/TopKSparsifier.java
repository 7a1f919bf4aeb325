package org.bigmodels.exercises.lesson06;

import org.bigmodels.compression.CompressedGradient;
import org.bigmodels.compression.GradientCompressor;
import org.bigmodels.compression.SparseGradient;

/**
 * Exercise 06.3 (lesson 06-parameter-servers-and-async): top-k sparsification with error feedback, as a
 * {@link GradientCompressor} that plugs in wherever the library's {@code TopKCompressor} does.
 *
 * <p>Keep a residual r (float[length], zeros before the first call). On each call: v = g + r (in float, element by
 * element); send the k elements of v with the largest |v| (ties: the lower index first) as a
 * {@link SparseGradient#of} (4-byte index + 4-byte value each: 8k bytes on the wire); keep everything else of v as
 * the new residual (so r' = v − sent, and sent + r' == g + r exactly). What is not sent now is only delayed: small
 * gradients accumulate in r until they are large enough to be sent (Strom 2015; Aji and Heafield 2017; Lin et al.,
 * "Deep gradient compression", ICLR 2018).
 *
 * <p>Replace the {@code throw}s below with your code, then run {@code ./course grade 06}.
 */
public final class TopKSparsifier implements GradientCompressor {
    /**
     * @param k how many elements to send per call, &ge; 1
     * @throws IllegalArgumentException if k &lt; 1
     */
    public TopKSparsifier(int k) {
        throw new UnsupportedOperationException("not implemented yet: TopKSparsifier(constructor) -- check k >= 1 and keep it;"
                + " the residual starts when the first gradient tells its length");
    }

    /**
     * @throws IllegalArgumentException for a null or empty gradient, a non-finite element (named), k &gt; length, or
     *     a length different from the first call's
     */
    @Override
    public CompressedGradient compress(float[] gradient) {
        throw new UnsupportedOperationException("not implemented yet: TopKSparsifier.compress -- v = gradient + residual; choose"
                + " the k indices of largest |v| (ties: lower index); send them with their values of v as"
                + " SparseGradient.of(length, indices, values); the new residual is v with the sent elements zeroed."
                + " Pitfalls: largest signed value instead of magnitude; forgetting to add the residual; changing the"
                + " caller's array");
    }

    @Override
    public float[] residual() {
        throw new UnsupportedOperationException("not implemented yet: TopKSparsifier.residual -- a copy; an empty array before the"
                + " first call");
    }

    @Override
    public void reset() {
        throw new UnsupportedOperationException("not implemented yet: TopKSparsifier.reset -- forget the residual");
    }
}
