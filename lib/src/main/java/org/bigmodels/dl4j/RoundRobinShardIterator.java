package org.bigmodels.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J {@link DataSetIterator} that deals the course's per-worker shards in the order DL4J's
 * {@code ParallelWrapper} hands minibatches out: ParallelWrapper takes W consecutive minibatches from its iterator
 * per round and gives the i-th to worker i. So this iterator yields, for each step s of [firstStep, firstStep + steps),
 * rank 0's batch s, rank 1's batch s, ..., rank W-1's batch s, where rank r's batches come from a
 * {@link DataParallelTrainer.ShardSource} (e.g. {@link DataParallelTrainer.ShardSource#sampled}, a
 * {@link org.bigmodels.dataparallel.DistributedSampler} per rank). With it, DL4J's worker r sees exactly the examples
 * the course's {@link DataParallelTrainer} gives rank r, step by step, and the two trainers can be compared on the
 * same data (07-dl4j-parallelwrapper).
 *
 * <p>Each {@link DataSet} has the batch's features [B, d] in their own type and the labels one-hot [B, classes] in
 * the features' type (DL4J's MCXENT output layer wants one-hot targets; the course keeps class indices). The batches
 * are built on demand, one at a time, so the whole epoch is never held twice in memory.
 */
public final class RoundRobinShardIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final transient List<IntFunction<Batch>> ranks;
    private final int firstStep;
    private final int steps;
    private final int classes;
    private final int inputColumns;
    private final int batchSize;
    private int position; // index of the next DataSet: step (position / W), rank (position % W)
    private transient DataSetPreProcessor preProcessor;

    /**
     * @param source     the batches of each rank (global step -> batch); called once per rank here
     * @param worldSize  workers W, at least 1
     * @param firstStep  the first global step (e.g. epoch · stepsPerEpoch), at least 0
     * @param steps      steps to deal, at least 1: the iterator yields steps · W data sets
     * @param classes    number of classes (columns of the one-hot labels), at least 2
     * @param inputColumns features per example (reported by {@link #inputColumns()})
     * @param batchSize  examples per worker batch (reported by {@link #batch()})
     * @throws IllegalArgumentException for a null source or a count out of range, saying which
     */
    public RoundRobinShardIterator(DataParallelTrainer.ShardSource source, int worldSize, int firstStep, int steps,
                                   int classes, int inputColumns, int batchSize) {
        if (source == null) throw new IllegalArgumentException("RoundRobinShardIterator: expected a shard source, got null");
        if (worldSize < 1 || firstStep < 0 || steps < 1 || classes < 2 || inputColumns < 1 || batchSize < 1) {
            throw new IllegalArgumentException("RoundRobinShardIterator: expected worldSize >= 1, firstStep >= 0, "
                    + "steps >= 1, classes >= 2, inputColumns >= 1, batchSize >= 1; got worldSize=" + worldSize
                    + ", firstStep=" + firstStep + ", steps=" + steps + ", classes=" + classes + ", inputColumns="
                    + inputColumns + ", batchSize=" + batchSize);
        }
        this.ranks = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) ranks.add(source.forRank(r, worldSize));
        this.firstStep = firstStep;
        this.steps = steps;
        this.classes = classes;
        this.inputColumns = inputColumns;
        this.batchSize = batchSize;
    }

    /**
     * One epoch of {@link DataParallelTrainer.ShardSource#sampled}(x, y, batchSize, seed) for W workers: the same
     * batches, in the same order, as {@link DataParallelTrainer} trains on in epoch {@code epoch} (0-based).
     *
     * @param x [n, d] features
     * @param y [n] class indices in 0..classes-1
     * @throws IllegalArgumentException for x and y of different lengths, or a count out of range
     */
    public static RoundRobinShardIterator epoch(INDArray x, INDArray y, int classes, int batchSize, long seed,
                                                int worldSize, int epoch) {
        if (x == null || y == null || x.rank() != 2 || y.length() != x.size(0)) {
            throw new IllegalArgumentException("RoundRobinShardIterator.epoch: expected x [n, d] and y [n], got x "
                    + (x == null ? "null" : java.util.Arrays.toString(x.shape())) + " and y "
                    + (y == null ? "null" : java.util.Arrays.toString(y.shape())));
        }
        if (worldSize < 1 || batchSize < 1 || epoch < 0) {
            throw new IllegalArgumentException("RoundRobinShardIterator.epoch: expected worldSize >= 1, batchSize >= 1 "
                    + "and epoch >= 0, got " + worldSize + ", " + batchSize + ", " + epoch);
        }
        int perEpoch = stepsPerEpoch((int) x.size(0), worldSize, batchSize);
        return new RoundRobinShardIterator(DataParallelTrainer.ShardSource.sampled(x, y, batchSize, seed), worldSize,
                epoch * perEpoch, perEpoch, classes, (int) x.size(1), batchSize);
    }

    /** Steps (rounds) per epoch of each worker: ceil(ceil(n / W) / batchSize), as the DistributedSampler pads. */
    public static int stepsPerEpoch(int n, int worldSize, int batchSize) {
        if (n < 1 || worldSize < 1 || batchSize < 1) {
            throw new IllegalArgumentException("RoundRobinShardIterator.stepsPerEpoch: expected n, worldSize and "
                    + "batchSize >= 1, got " + n + ", " + worldSize + ", " + batchSize);
        }
        int perWorker = (n + worldSize - 1) / worldSize;
        return (perWorker + batchSize - 1) / batchSize;
    }

    /** Data sets this iterator yields in all: steps · W. */
    public int size() {
        return steps * ranks.size();
    }

    @Override
    public boolean hasNext() {
        return position < size();
    }

    @Override
    public DataSet next() {
        if (!hasNext()) throw new NoSuchElementException("RoundRobinShardIterator: all " + size() + " data sets dealt; "
                + "call reset()");
        int w = ranks.size();
        Batch b = ranks.get(position % w).apply(firstStep + position / w);
        position++;
        DataSet ds = new DataSet(b.x(), oneHot(b.y(), classes, b.x().dataType()));
        if (preProcessor != null) preProcessor.preProcess(ds);
        return ds;
    }

    /** One-hot rows [B, classes] of class indices [B], in {@code type}; an index out of range is refused. */
    static INDArray oneHot(INDArray labels, int classes, DataType type) {
        int[] y = labels.toIntVector();
        INDArray h = Nd4j.zeros(type, y.length, classes);
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException("RoundRobinShardIterator: label " + y[i] + " at row " + i
                        + " is outside 0.." + (classes - 1));
            }
            h.putScalar(i, y[i], 1.0);
        }
        return h;
    }

    /** Not supported: ParallelWrapper asks for one data set at a time. */
    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("RoundRobinShardIterator: batches are fixed by the shard source; "
                + "call next()");
    }

    @Override
    public int inputColumns() {
        return inputColumns;
    }

    @Override
    public int totalOutcomes() {
        return classes;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** True: ParallelWrapper may prefetch it on a background thread (the order is kept). */
    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        position = 0;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
