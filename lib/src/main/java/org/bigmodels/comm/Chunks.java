package org.bigmodels.comm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How a flat array of {@code length} elements is cut into {@code n} contiguous chunks, one per rank, for
 * reduce-scatter, all-gather and the ring all-reduce.
 *
 * <p>Balanced: the first {@code length % n} chunks get one element more than the others, so chunk sizes differ by
 * at most one. When {@code length < n} the last {@code n - length} chunks are empty (size 0); the algorithms still
 * send them, as empty messages, so every rank takes the same steps. (PyTorch's {@code torch.chunk} instead makes
 * fewer, larger chunks; MPI's {@code MPI_Reduce_scatter} takes explicit counts. Balanced contiguous chunks are the
 * simplest choice that keeps every rank's share within one element of S/N.)
 */
public final class Chunks {
    private Chunks() {}

    /**
     * The chunk boundaries: an array {@code b} of {@code n + 1} offsets with {@code b[0] = 0}, {@code b[n] = length},
     * chunk r = elements [b[r], b[r+1]).
     *
     * @param length number of elements, at least 0
     * @param n      number of chunks (the world size), at least 1
     * @throws IllegalArgumentException when {@code length < 0} or {@code n < 1}
     */
    public static long[] bounds(long length, int n) {
        if (length < 0 || n < 1) {
            throw new IllegalArgumentException("Chunks.bounds: expected length >= 0 and n >= 1, got length "
                    + length + ", n " + n);
        }
        long[] b = new long[n + 1];
        long base = length / n;
        long extra = length % n;
        for (int r = 0; r < n; r++) {
            b[r + 1] = b[r] + base + (r < extra ? 1 : 0);
        }
        return b;
    }

    /** Number of elements in chunk {@code r} of {@link #bounds(long, int)}. */
    public static long size(long length, int n, int r) {
        if (r < 0 || r >= n) {
            throw new IllegalArgumentException("Chunks.size: chunk index " + r + " out of range [0, " + n + ")");
        }
        long[] b = bounds(length, n);
        return b[r + 1] - b[r];
    }

    /**
     * A view of elements [lo, hi) of the flat array {@code flat} (rank 1): writing into the view writes into
     * {@code flat}. For an empty range a new empty array of the same type is returned (nothing to write).
     */
    public static INDArray view(INDArray flat, long lo, long hi) {
        if (lo < 0 || hi < lo || hi > flat.length()) {
            throw new IllegalArgumentException("Chunks.view: expected 0 <= lo <= hi <= " + flat.length()
                    + ", got [" + lo + ", " + hi + ")");
        }
        if (hi == lo) {
            return Nd4j.create(flat.dataType(), 0);
        }
        if (lo == 0 && hi == flat.length()) {
            return flat;
        }
        return flat.get(NDArrayIndex.interval(lo, hi));
    }

    /** A view of chunk {@code r} of {@code flat} for the boundaries {@code bounds} from {@link #bounds(long, int)}. */
    public static INDArray chunk(INDArray flat, long[] bounds, int r) {
        return view(flat, bounds[r], bounds[r + 1]);
    }
}
