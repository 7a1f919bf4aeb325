package org.bigmodels.display;

/**
 * The two views of a confusion matrix that make a classifier's <i>errors</i> visible. A good classifier puts
 * almost every image on the diagonal, so raw counts drawn as colours show a dark diagonal and a white rest:
 * the correct-class counts set the colour scale and the mistakes vanish.
 * <ul>
 *   <li>{@link #rowFractions}: each row divided by its total, so cell (t, p) is the fraction of the images of
 *       true class t that were predicted as p (classes with few images weigh as much as common ones);</li>
 *   <li>{@link #maskDiagonal}: the diagonal set to {@code NaN}, which {@link Plots#heatmap} draws grey and leaves
 *       out of the colour scale, so the largest <i>error</i> gets the darkest colour.</li>
 * </ul>
 * Rows are true classes and columns predicted classes, as {@code org.bigmodels.train.Metrics.confusionMatrix}
 * returns them. Drawn by {@link Plots#confusionMatrix}. Notebook: 03-mlp-mnist.
 */
public final class ConfusionMatrix {

    private ConfusionMatrix() {
    }

    /**
     * {@code counts[t][p] / Σ_p counts[t][p]}: each row sums to 1. A row with no images (total 0) stays all 0.
     *
     * @param counts [classes][classes], rows = true class, columns = predicted class, non-negative
     * @throws IllegalArgumentException if {@code counts} is empty, not square or has a negative count
     */
    public static double[][] rowFractions(int[][] counts) {
        int k = checkSquare(counts, "rowFractions");
        double[][] out = new double[k][k];
        for (int t = 0; t < k; t++) {
            long total = 0;
            for (int p = 0; p < k; p++) {
                if (counts[t][p] < 0) {
                    throw new IllegalArgumentException("ConfusionMatrix.rowFractions: counts must be 0 or more, got "
                            + counts[t][p] + " at [" + t + "][" + p + "].");
                }
                total += counts[t][p];
            }
            for (int p = 0; p < k; p++) {
                out[t][p] = total == 0 ? 0 : (double) counts[t][p] / total;
            }
        }
        return out;
    }

    /** The counts as doubles, unchanged: the "no normalisation" view. */
    public static double[][] asDoubles(int[][] counts) {
        int k = checkSquare(counts, "asDoubles");
        double[][] out = new double[k][k];
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                out[t][p] = counts[t][p];
            }
        }
        return out;
    }

    /**
     * A copy of {@code values} with the diagonal set to {@code NaN} (masked). The input is not changed.
     *
     * @throws IllegalArgumentException if {@code values} is empty or not square
     */
    public static double[][] maskDiagonal(double[][] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("ConfusionMatrix.maskDiagonal: the matrix is empty.");
        }
        double[][] out = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            if (values[r].length != values.length) {
                throw new IllegalArgumentException("ConfusionMatrix.maskDiagonal: a confusion matrix is square; row "
                        + r + " has " + values[r].length + " values for " + values.length + " rows.");
            }
            out[r] = values[r].clone();
            out[r][r] = Double.NaN;
        }
        return out;
    }

    static int checkSquare(int[][] counts, String method) {
        if (counts == null || counts.length == 0) {
            throw new IllegalArgumentException("ConfusionMatrix." + method + ": the matrix is empty; pass "
                    + "counts[trueClass][predictedClass], e.g. from Metrics.confusionMatrix.");
        }
        int k = counts.length;
        for (int r = 0; r < k; r++) {
            if (counts[r] == null || counts[r].length != k) {
                throw new IllegalArgumentException("ConfusionMatrix." + method + ": a confusion matrix is square; row "
                        + r + " has " + (counts[r] == null ? 0 : counts[r].length) + " counts for " + k + " rows.");
            }
        }
        return k;
    }
}
