package org.bigmodels.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Classification metrics from predicted and true class indices: accuracy, the confusion matrix (rows = true
 * class, columns = predicted) and per-class precision and recall. Taught in 03-mlp-mnist.
 */
public final class Metrics {
    private Metrics() {}

    /** The predicted class of each row of logits or probabilities [N, C]. */
    public static int[] argmax(INDArray scores) {
        if (scores.rank() != 2) {
            throw new IllegalArgumentException("argmax: expected scores [N, C], got " + java.util.Arrays.toString(scores.shape()));
        }
        return scores.argMax(1).toIntVector();
    }

    /** The share of predictions equal to the labels, in [0, 1] (NaN for no examples). */
    public static double accuracy(int[] predicted, int[] actual) {
        check(predicted, actual);
        int right = 0;
        for (int i = 0; i < actual.length; i++) if (predicted[i] == actual[i]) right++;
        return actual.length == 0 ? Double.NaN : (double) right / actual.length;
    }

    /** The accuracy of logits or probabilities [N, C] against labels: {@code accuracy(argmax(scores), actual)}. */
    public static double accuracy(INDArray scores, int[] actual) {
        return accuracy(argmax(scores), actual);
    }

    /**
     * The standard error of an accuracy p measured on n independent test examples, √(p(1 − p) / n): each example is
     * a coin that lands "right" with probability p, so the count right is binomial. On MNIST's 10,000 test images an
     * accuracy near 98 % has a standard error of 0.14 percentage points; two models closer than about twice that are
     * not told apart by the test set.
     *
     * @throws IllegalArgumentException if accuracy is outside [0, 1] or n < 1
     */
    public static double accuracyStandardError(double accuracy, int n) {
        if (!(accuracy >= 0 && accuracy <= 1) || n < 1) {
            throw new IllegalArgumentException("accuracyStandardError: expected an accuracy in [0, 1] and n >= 1 "
                    + "examples, got " + accuracy + " and " + n);
        }
        return Math.sqrt(accuracy * (1 - accuracy) / n);
    }

    /** counts[true][predicted]. */
    public static int[][] confusionMatrix(int[] predicted, int[] actual, int classes) {
        check(predicted, actual);
        int[][] m = new int[classes][classes];
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] < 0 || actual[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("confusionMatrix: classes must be in [0, " + classes + "), got true "
                        + actual[i] + ", predicted " + predicted[i] + " at " + i);
            }
            m[actual[i]][predicted[i]]++;
        }
        return m;
    }

    /** Per class: support (true count), precision = TP / predicted, recall = TP / true (NaN when undefined). */
    public static Table perClass(int[][] confusion) {
        int k = confusion.length;
        int[] support = new int[k];
        double[] precision = new double[k], recall = new double[k];
        String[] names = new String[k];
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c], trueCount = 0, predCount = 0;
            for (int j = 0; j < k; j++) {
                trueCount += confusion[c][j];
                predCount += confusion[j][c];
            }
            names[c] = Integer.toString(c);
            support[c] = trueCount;
            precision[c] = predCount == 0 ? Double.NaN : (double) tp / predCount;
            recall[c] = trueCount == 0 ? Double.NaN : (double) tp / trueCount;
        }
        return Table.create("per-class metrics", StringColumn.create("class", names), IntColumn.create("support", support),
                DoubleColumn.create("precision", precision), DoubleColumn.create("recall", recall));
    }

    private static void check(int[] predicted, int[] actual) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException("expected as many predictions as labels, got " + predicted.length
                    + " and " + actual.length);
        }
    }
}
