package org.bigmodels.dataparallel;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which examples one worker of a data-parallel job sees in an epoch: the dataset's indices are shuffled by (seed,
 * epoch), the same way on every worker and every run, and dealt round-robin, so that each example is seen once per
 * epoch across the workers (PyTorch's {@code torch.utils.data.distributed.DistributedSampler}, whose options this
 * follows). When the dataset size n does not divide by the world size W, {@code dropLast} says what to do: false pads
 * the shuffled list by repeating its first indices up to ceil(n / W)·W (a few examples are seen twice), true drops its
 * last n mod W indices (a few are not seen this epoch). Every worker then has the same number of examples, so every
 * worker takes the same number of steps and no all-reduce waits for a missing peer.
 *
 * <p>Everything is a function of (seed, epoch, rank): a resumed run sees the same batches (see
 * {@link #stepSource}). Taught in 05-data-parallel.
 */
public final class DistributedSampler {
    private final int size;
    private final int worldSize;
    private final int rank;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int perWorker;

    /**
     * @param size      examples in the dataset (n)
     * @param worldSize workers (W), 1 <= W <= n
     * @param rank      this worker, in [0, W)
     * @param shuffle   shuffle by (seed, epoch); false keeps the dataset order before dealing
     * @param seed      the seed of the shuffle (the same on every worker)
     * @param dropLast  drop the tail that does not divide by W (true) or pad by repetition (false)
     * @throws IllegalArgumentException for a world size below 1, a rank out of range, an empty dataset, or more
     *                                  workers than examples
     */
    public DistributedSampler(int size, int worldSize, int rank, boolean shuffle, long seed, boolean dropLast) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("DistributedSampler: expected a world size of at least 1, got "
                    + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("DistributedSampler: expected a rank in [0, " + worldSize + "), got "
                    + rank);
        }
        if (size < 1) throw new IllegalArgumentException("DistributedSampler: expected a non-empty dataset, got "
                + size + " examples");
        if (worldSize > size) {
            throw new IllegalArgumentException("DistributedSampler: more workers (" + worldSize + ") than examples ("
                    + size + "); every worker needs at least one example: use at most " + size + " workers");
        }
        this.size = size;
        this.worldSize = worldSize;
        this.rank = rank;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        this.perWorker = dropLast ? size / worldSize : (size + worldSize - 1) / worldSize;
    }

    /** Shuffled, padding (dropLast = false) sampler: PyTorch's defaults. */
    public DistributedSampler(int size, int worldSize, int rank, long seed) {
        this(size, worldSize, rank, true, seed, false);
    }

    /** Examples this worker sees per epoch: ceil(n / W) with padding, floor(n / W) with dropLast. */
    public int perWorker() {
        return perWorker;
    }

    /** The dataset indices of this worker in epoch {@code epoch} (0-based), in the order to visit them. */
    public int[] indices(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DistributedSampler: expected an epoch >= 0, got " + epoch);
        int[] all = new int[size];
        for (int i = 0; i < size; i++) all[i] = i;
        if (shuffle) {
            Random rng = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = size - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
        }
        int[] mine = new int[perWorker];
        for (int k = 0; k < perWorker; k++) {
            mine[k] = all[(rank + k * worldSize) % size]; // position >= size: padding, repeating from the start
        }
        return mine;
    }

    /** Batches per epoch for this worker: ceil(perWorker / batchSize) (the last one may be smaller). */
    public int batchesPerEpoch(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("DistributedSampler: expected batchSize >= 1, got "
                + batchSize);
        return (perWorker + batchSize - 1) / batchSize;
    }

    /**
     * The batch source of {@link org.bigmodels.train.Trainer#fitSteps} for this worker: global step s is batch
     * s mod b of epoch s / b (b = {@link #batchesPerEpoch}), rows of (x, y) copied into fresh arrays. A function of
     * the step only, so a restored run resumes exactly.
     *
     * @throws IllegalArgumentException if x and y do not have n rows each
     */
    public IntFunction<Batch> stepSource(INDArray x, INDArray y, int batchSize) {
        if (x.size(0) != size || y.size(0) != size) {
            throw new IllegalArgumentException("DistributedSampler: expected inputs and targets with " + size
                    + " rows (the sampler's dataset size), got " + x.size(0) + " and " + y.size(0));
        }
        int perEpoch = batchesPerEpoch(batchSize);
        return new IntFunction<>() {
            private int cachedEpoch = -1;
            private int[] cached;

            @Override
            public Batch apply(int step) {
                int epoch = step / perEpoch;
                if (epoch != cachedEpoch) {
                    cached = indices(epoch);
                    cachedEpoch = epoch;
                }
                int from = (step % perEpoch) * batchSize;
                int[] rows = Arrays.copyOfRange(cached, from, Math.min(cached.length, from + batchSize));
                return new Batch(rows(x, rows), rows(y, rows));
            }
        };
    }

    /**
     * The rows of {@code a} (any rank, first axis = examples) at {@code rows}, copied into a fresh array by one gather
     * ({@code Nd4j.pullRows}; a row-by-row copy allocated two views per row, which showed in profiles of the
     * data-parallel benchmark).
     */
    static INDArray rows(INDArray a, int[] rows) {
        if (a.rank() == 1) return Nd4j.pullRows(a.reshape(a.length(), 1), 1, rows).reshape(rows.length);
        INDArray flat = a.rank() == 2 ? a : a.reshape('c', a.size(0), a.length() / a.size(0));
        long[] shape = a.shape().clone();
        shape[0] = rows.length;
        return Nd4j.pullRows(flat, 1, rows, 'c').reshape('c', shape);
    }

    /** The per-worker index lists of one epoch, for all ranks (a check that they cover the dataset). */
    public static List<int[]> allRanks(int size, int worldSize, boolean shuffle, long seed, boolean dropLast,
                                       int epoch) {
        return java.util.stream.IntStream.range(0, worldSize)
                .mapToObj(r -> new DistributedSampler(size, worldSize, r, shuffle, seed, dropLast).indices(epoch))
                .toList();
    }
}
