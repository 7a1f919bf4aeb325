package org.bigmodels.tensorparallel;

/**
 * How many bytes each rank sends for the tensor-parallel layers of this package: the formulas the tests and
 * 09-tensor-parallel compare with the communicator's counters. All collectives are ring collectives (the
 * {@link org.bigmodels.comm.Communicator} defaults): an all-reduce of S bytes over p ranks sends 2(p−1)/p·S bytes
 * and 2(p−1) messages per rank (exact when p divides the element count); an all-gather of S bytes in total sends
 * (p−1)/p·S bytes and p−1 messages. p = 1 sends nothing.
 *
 * <p>n = B·T tokens, C the width, e bytes per element (4 for FLOAT, 8 for DOUBLE). Per layer (Shoeybi et al. 2019,
 * §3): MLP and attention one all-reduce of n·C in forward and one in backward; a block two and two; the
 * vocabulary-parallel embedding one in forward; the vocabulary-parallel loss an all-gather of p·n and an all-reduce
 * of 2n in forward.
 */
public final class TensorParallelTraffic {
    private TensorParallelTraffic() {}

    /** Bytes one rank sends in a ring all-reduce of {@code elements} elements of {@code e} bytes over p ranks. */
    public static double allReduceBytes(int p, long elements, int e) {
        check(p);
        return 2.0 * (p - 1) / p * elements * e;
    }

    /** Messages one rank sends in a ring all-reduce over p ranks: 2(p−1). */
    public static long allReduceMessages(int p) {
        check(p);
        return 2L * (p - 1);
    }

    /** Bytes one rank sends in a ring all-gather of {@code elements} elements in total. */
    public static double allGatherBytes(int p, long elements, int e) {
        check(p);
        return (double) (p - 1) / p * elements * e;
    }

    /** Bytes per rank for one forward (or one backward) pass of a {@link ParallelMLP} or {@link ParallelAttention}. */
    public static double layerBytes(int p, long tokens, long width, int e) {
        return allReduceBytes(p, tokens * width, e);
    }

    /** Bytes per rank for one forward (or one backward) pass of a {@link TensorParallelBlock}: two all-reduces. */
    public static double blockBytes(int p, long tokens, long width, int e) {
        return 2 * allReduceBytes(p, tokens * width, e);
    }

    /** Bytes per rank for the forward pass of {@link VocabParallelCrossEntropy} over {@code tokens} rows. */
    public static double crossEntropyBytes(int p, long tokens, int e) {
        return allGatherBytes(p, (long) p * tokens, e) + allReduceBytes(p, 2 * tokens, e);
    }

    /**
     * Bytes per rank for one forward and backward pass of a {@link TensorParallelGPT} of L blocks:
     * (1 + 2L) + (2L + 1) all-reduces of n·C, plus the loss.
     */
    public static double gptStepBytes(int p, long tokens, long width, int layers, int e) {
        return (4L * layers + 2) * allReduceBytes(p, tokens * width, e) + crossEntropyBytes(p, tokens, e);
    }

    private static void check(int p) {
        if (p < 1) throw new IllegalArgumentException("TensorParallelTraffic: expected p >= 1 ranks, got " + p);
    }
}
