package org.bigmodels.distill;

import java.util.Random;
import java.util.function.IntFunction;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Batches;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data augmentation by random translation: every training image is shifted by a whole number of pixels
 * (dx, dy), each drawn uniformly from [−max, max], freshly at every step, the uncovered border filled with 0 (the
 * background of MNIST). Hinton et al. 2015 §3 trained their MNIST teacher (67 test errors) "with the input images jittered by
 * up to two pixels in any direction"; the students saw the plain images.
 *
 * <p>As a batch source for {@link org.bigmodels.train.Trainer#fitSteps}: step s belongs to epoch s / perEpoch, whose
 * example order is a seeded permutation (like {@link Batches#epoch}); the batch's images are shifted by a generator
 * seeded by (seed, step), so a run is repeatable. The batch arrays are reused from step to step (a step's batch is no
 * longer needed once the next one is asked for), so a long run allocates no native memory per step.
 */
public final class RandomTranslation implements IntFunction<Batch> {
    private final float[] images;
    private final int[] labels;
    private final int n, side, max, batchSize, perEpoch;
    private final long seed;
    private int[] order;
    private int orderEpoch = -1;
    private INDArray xFull, yFull, xLast, yLast;

    /**
     * @param x         images [n, side²] float, row-major pixels of square images
     * @param y         labels [n] (class indices)
     * @param max       the largest shift in pixels (≥ 0; 0 = no augmentation)
     * @param batchSize examples per step; the last batch of an epoch is smaller when it does not divide n
     * @param seed      seeds the order of every epoch and the shifts of every step
     * @throws IllegalArgumentException when x is not [n, side²] with n labels, or max or batchSize is out of range
     */
    public RandomTranslation(INDArray x, INDArray y, int max, int batchSize, long seed) {
        if (x.rank() != 2 || y.length() != x.size(0)) {
            throw new IllegalArgumentException("RandomTranslation: expected images [n, side*side] and n labels, got "
                    + java.util.Arrays.toString(x.shape()) + " and " + y.length() + " labels");
        }
        this.side = (int) Math.round(Math.sqrt(x.size(1)));
        if ((long) side * side != x.size(1)) {
            throw new IllegalArgumentException("RandomTranslation: expected square images (side*side columns), got "
                    + x.size(1) + " columns");
        }
        if (max < 0 || max >= side) {
            throw new IllegalArgumentException("RandomTranslation: expected a shift in [0, " + (side - 1) + "], got " + max);
        }
        if (batchSize <= 0) throw new IllegalArgumentException("RandomTranslation: expected batchSize > 0, got " + batchSize);
        this.images = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        this.labels = y.toIntVector();
        this.n = (int) x.size(0);
        this.max = max;
        this.batchSize = batchSize;
        this.seed = seed;
        this.perEpoch = Batches.count(n, batchSize);
    }

    /** Steps per epoch: ceil(n / batchSize). */
    public int stepsPerEpoch() {
        return perEpoch;
    }

    /** The batch of global step {@code step} (0-based), its images shifted. Valid until the next call. */
    @Override
    public Batch apply(int step) {
        int epoch = step / perEpoch, k = step % perEpoch;
        if (epoch != orderEpoch) {
            order = Batches.permutation(n, new Random(seed * 1_000_003L + epoch));
            orderEpoch = epoch;
        }
        int start = k * batchSize, rows = Math.min(batchSize, n - start);
        boolean full = rows == batchSize;
        if (full && xFull == null) {
            xFull = Nd4j.create(DataType.FLOAT, batchSize, (long) side * side);
            yFull = Nd4j.create(DataType.INT32, batchSize);
        }
        if (!full && (xLast == null || xLast.size(0) != rows)) {
            xLast = Nd4j.create(DataType.FLOAT, rows, (long) side * side);
            yLast = Nd4j.create(DataType.INT32, rows);
        }
        INDArray xb = full ? xFull : xLast, yb = full ? yFull : yLast;
        int d = side * side;
        float[] out = new float[rows * d];
        int[] lab = new int[rows];
        Random rng = new Random(seed * 0x9E3779B97F4A7C15L + step);
        for (int r = 0; r < rows; r++) {
            int i = order[start + r];
            lab[r] = labels[i];
            shift(images, i * d, out, r * d, side, rng.nextInt(2 * max + 1) - max, rng.nextInt(2 * max + 1) - max);
        }
        xb.data().setData(out);
        yb.data().setData(lab);
        return new Batch(xb, yb);
    }

    /**
     * Writes the side×side image at {@code src[from..]} shifted right by dx and down by dy into {@code dst[to..]}
     * (pixels shifted out are lost, uncovered ones are 0).
     */
    public static void shift(float[] src, int from, float[] dst, int to, int side, int dx, int dy) {
        for (int r = 0; r < side; r++) {
            int sr = r - dy;
            for (int c = 0; c < side; c++) {
                int sc = c - dx;
                dst[to + r * side + c] = sr >= 0 && sr < side && sc >= 0 && sc < side ? src[from + sr * side + sc] : 0f;
            }
        }
    }
}
