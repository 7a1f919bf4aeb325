package org.bigmodels.data;

import java.util.List;
import java.util.Random;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * scikit-learn's digits: 1,797 handwritten digits of 8x8 pixels with 17 grey levels (0-16), labels 0-9.
 * MNIST's little sibling: a model trains on it in a second. Features are [n, 64] floats in [0, 1]
 * (value / 16). Notebook: 00-welcome.
 */
public final class Digits {

    /** Image side in pixels. */
    public static final int SIDE = 8;
    /** Number of classes. */
    public static final int CLASSES = 10;
    private static final int PIXELS = SIDE * SIDE;
    private static final float SCALE = 1f / 16f;

    private static volatile Split all;

    private Digits() {
    }

    /** All 1,797 examples in file order, read once per process. */
    public static synchronized Split load() {
        if (all == null) {
            List<double[]> rows = CsvRows.read(Datasets.path(DatasetFile.DIGITS), 0, PIXELS + 1);
            float[] x = CsvRows.features(rows, PIXELS);
            for (int i = 0; i < x.length; i++) {
                x[i] *= SCALE;
            }
            all = Split.of("digits", x, PIXELS, CsvRows.labels(rows), CLASSES);
        }
        return all;
    }

    /**
     * A shuffled train/test split: the same {@code seed} always gives the same split, on any machine.
     *
     * @param testFraction share of the examples held out, strictly between 0 and 1
     */
    public static TrainTest split(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be strictly between 0 and 1, got " + testFraction
                    + "; 0.2 holds out a fifth of the examples.");
        }
        Split data = load();
        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int testSize = (int) Math.round(n * testFraction);
        int[] testRows = java.util.Arrays.copyOfRange(order, 0, testSize);
        int[] trainRows = java.util.Arrays.copyOfRange(order, testSize, n);
        return new TrainTest(rows(data, trainRows, "digits/train"), rows(data, testRows, "digits/test"));
    }

    private static Split rows(Split data, int[] rows, String name) {
        float[] all = data.features().data().asFloat();
        int[] labels = data.labelArray();
        float[] x = new float[rows.length * PIXELS];
        int[] y = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(all, rows[i] * PIXELS, x, i * PIXELS, PIXELS);
            y[i] = labels[rows[i]];
        }
        return Split.of(name, x, PIXELS, y, CLASSES);
    }

    /** The raw data as a table: {@code label}, then pixels {@code p0}..{@code p63} (0-16), row by row. */
    public static Table table() {
        Split data = load();
        float[] all = data.features().data().asFloat();
        Table table = Table.create("digits");
        table.addColumns(IntColumn.create("label", data.labelArray()));
        int n = data.size();
        for (int p = 0; p < PIXELS; p++) {
            int[] values = new int[n];
            for (int i = 0; i < n; i++) {
                values[i] = Math.round(all[i * PIXELS + p] * 16f);
            }
            table.addColumns(IntColumn.create("p" + p, values));
        }
        return table;
    }
}
