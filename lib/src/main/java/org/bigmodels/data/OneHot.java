package org.bigmodels.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One-hot encoding: class index y becomes a row of {@code classes} numbers, all 0 except a 1 at column y. The form
 * DL4J's output layers (and any loss written as {@code -Σ target · log p}) want for their labels; the course engine's
 * cross-entropy takes the class indices directly. Used in 03-mlp-mnist to train DL4J on the same batches.
 */
public final class OneHot {
    private OneHot() {}

    /**
     * A fresh [n, classes] array of {@code type} with a single 1 per row, at the row's label.
     *
     * @throws IllegalArgumentException if classes < 1 or a label is outside [0, classes)
     */
    public static INDArray encode(int[] labels, int classes, DataType type) {
        if (classes < 1) {
            throw new IllegalArgumentException("OneHot: expected at least 1 class, got " + classes);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("OneHot: label " + labels[i] + " at position " + i
                        + " is outside the classes 0.." + (classes - 1) + "; pass the right number of classes");
            }
        }
        float[] hot = new float[Math.multiplyExact(labels.length, classes)];
        for (int i = 0; i < labels.length; i++) hot[i * classes + labels[i]] = 1f;
        INDArray out = Nd4j.create(hot, new long[] {labels.length, classes}, 'c');
        return type == DataType.FLOAT ? out : out.castTo(type);
    }

    /**
     * {@link #encode(int[], int, DataType)} for labels [n] held in an INDArray (integer type, or a float type with
     * whole values), as FLOAT.
     *
     * @throws IllegalArgumentException if labels is not a vector [n], holds a non-integral value (2.7 is not a class),
     *                                  or a label is outside [0, classes)
     */
    public static INDArray encode(INDArray labels, int classes) {
        return encode(labelArray(labels), classes, DataType.FLOAT);
    }

    /** The class indices of a one-hot (or score) matrix [n, classes]: the column of each row's largest entry. */
    public static int[] decode(INDArray oneHot) {
        if (oneHot.rank() != 2) {
            throw new IllegalArgumentException("OneHot.decode: expected [n, classes], got "
                    + Arrays.toString(oneHot.shape()));
        }
        return oneHot.argMax(1).toIntVector();
    }

    private static int[] labelArray(INDArray labels) {
        if (labels.rank() != 1) {
            throw new IllegalArgumentException("OneHot: expected labels [n] (one class index per example), got shape "
                    + Arrays.toString(labels.shape()));
        }
        if (labels.dataType().isIntType()) return labels.toIntVector();
        double[] v = labels.toDoubleVector();
        int[] y = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("OneHot: label " + v[i] + " at position " + i + " is not a class "
                        + "index; labels must be whole numbers (an INT array, or whole floats)");
            }
            y[i] = (int) v[i];
        }
        return y;
    }
}
