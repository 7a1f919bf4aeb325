package org.bigmodels.data;

import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A set of examples ready for training: one row of float features per example and its class index.
 * Loaders cache their splits for the whole process, so the arrays are shared: treat them as read-only
 * and {@code dup()} before changing anything in place. Notebook: 00-welcome.
 *
 * @param name       e.g. {@code mnist/train}
 * @param features   [n, d] FLOAT
 * @param labels     [n] INT32 class indices in 0..numClasses-1
 * @param numClasses number of classes
 */
public record Split(String name, INDArray features, INDArray labels, int numClasses) {

    public Split {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if (features.rank() != 2) {
            throw new IllegalArgumentException("features must be [n, d], got shape " + java.util.Arrays.toString(features.shape()));
        }
        if (labels.rank() != 1 || labels.length() != features.rows()) {
            throw new IllegalArgumentException("labels must be [n] with n = " + features.rows()
                    + " (the number of feature rows), got shape " + java.util.Arrays.toString(labels.shape()));
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be at least 1, got " + numClasses);
        }
    }

    /** Builds a split from raw features (row-major, n*d) and labels; checks every label is a valid class. */
    static Split of(String name, float[] features, int d, int[] labels, int numClasses) {
        if (features.length != (long) labels.length * d) {
            throw new DatasetException(name + ": " + labels.length + " labels but " + features.length / Math.max(d, 1)
                    + " feature rows of " + d + " values; images and labels files do not belong together.");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new DatasetException(name + ": label " + labels[i] + " at row " + i + " is outside 0.."
                        + (numClasses - 1) + "; the labels file is damaged.");
            }
        }
        INDArray x = Nd4j.create(features, new long[]{labels.length, d}, DataType.FLOAT);
        return new Split(name, x, Nd4j.createFromArray(labels), numClasses);
    }

    /** Number of examples. */
    public int size() {
        return (int) features.rows();
    }

    /** Labels as a fresh Java array. */
    public int[] labelArray() {
        return labels.toIntVector();
    }

    /** How many examples each class has: element c counts label c. */
    public int[] labelCounts() {
        int[] counts = new int[numClasses];
        for (int label : labelArray()) {
            counts[label]++;
        }
        return counts;
    }

    /** Labels one-hot encoded: a fresh [n, numClasses] FLOAT array with a single 1 per row ({@link OneHot}). */
    public INDArray oneHot() {
        return OneHot.encode(labelArray(), numClasses, DataType.FLOAT);
    }

    @Override
    public String toString() {
        return "Split[" + name + ": " + size() + " examples x " + features.columns() + " features, "
                + numClasses + " classes]";
    }
}
