package org.bigmodels.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One mini-batch as Spark ships it: plain Java arrays (inputs x [rows, cols] row-major, float; targets y [rows],
 * class indices stored as floats), so an RDD of batches is serialised by Spark's own serializer with no ND4J buffer
 * inside (ND4J arrays hold native memory that Java serialization copies through the heap, and Spark 3.5 closes a
 * broadcast value that is closeable). Converted to the engine's {@link Batch} on the executor.
 *
 * @param x    inputs, rows·cols floats, row-major
 * @param rows examples in the batch (at least 1)
 * @param cols features per example
 * @param y    class index of each example (rows floats holding whole numbers)
 */
public record SparkBatch(float[] x, int rows, int cols, float[] y) implements Serializable {

    public SparkBatch {
        if (x == null || y == null || rows < 1 || cols < 1 || x.length != (long) rows * cols || y.length != rows) {
            throw new IllegalArgumentException("SparkBatch: expected x of rows*cols floats and y of rows floats with "
                    + "rows, cols >= 1; got rows=" + rows + ", cols=" + cols + ", x.length="
                    + (x == null ? "null" : x.length) + ", y.length=" + (y == null ? "null" : y.length));
        }
    }

    /** The engine batch: x [rows, cols] FLOAT, y [rows] FLOAT (class indices). */
    public Batch toBatch() {
        return new Batch(Nd4j.create(x, new long[]{rows, cols}, 'c'), Nd4j.create(y, new long[]{rows}, 'c'));
    }

    /** The batch of an engine (x [N, F], y [N]) pair, copied to the heap. */
    public static SparkBatch of(INDArray x, INDArray y) {
        if (x.rank() != 2 || y.length() != x.size(0)) {
            throw new IllegalArgumentException("SparkBatch.of: expected x [N, F] and y [N], got x "
                    + Arrays.toString(x.shape()) + ", y " + Arrays.toString(y.shape()));
        }
        return new SparkBatch(x.castTo(DataType.FLOAT).dup('c').data().asFloat(), (int) x.size(0), (int) x.size(1),
                y.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    /**
     * Cuts (x, y) into consecutive batches of {@code batchSize} rows (the last may be smaller), in order.
     *
     * @throws IllegalArgumentException if batchSize < 1 or x has no row
     */
    public static List<SparkBatch> split(INDArray x, INDArray y, int batchSize) {
        if (batchSize < 1 || x.size(0) < 1) {
            throw new IllegalArgumentException("SparkBatch.split: expected batchSize >= 1 and at least one example, got "
                    + "batchSize=" + batchSize + ", examples=" + x.size(0));
        }
        List<SparkBatch> out = new ArrayList<>();
        long n = x.size(0);
        for (long s = 0; s < n; s += batchSize) {
            long e = Math.min(n, s + batchSize);
            out.add(of(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()), y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e))));
        }
        return out;
    }
}
