package org.bigmodels.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the small numeric CSVs scikit-learn ships (Iris, Digits): every row has the same number of
 * numbers, the last one the class. Notebook: 00-welcome.
 */
final class CsvRows {

    private CsvRows() {
    }

    /**
     * All rows of {@code path} as doubles, after skipping {@code headerLines}.
     *
     * @param columns how many numbers each row must have
     */
    static List<double[]> read(Path path, int headerLines, int columns) {
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<double[]> rows = new ArrayList<>();
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber <= headerLines || line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (cells.length != columns) {
                    throw new DatasetException(path + " line " + lineNumber + ": expected " + columns
                            + " comma-separated numbers, got " + cells.length + ". The file is damaged.");
                }
                double[] row = new double[columns];
                for (int i = 0; i < columns; i++) {
                    try {
                        row[i] = Double.parseDouble(cells[i].trim());
                    } catch (NumberFormatException e) {
                        throw new DatasetException(path + " line " + lineNumber + ", column " + (i + 1)
                                + ": expected a number, got '" + cells[i] + "'. The file is damaged.", e);
                    }
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new DatasetException("Cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Features (all columns but the last) as a row-major float array. */
    static float[] features(List<double[]> rows, int d) {
        float[] x = new float[rows.size() * d];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < d; c++) {
                x[r * d + c] = (float) rows.get(r)[c];
            }
        }
        return x;
    }

    /** The last column as class indices. */
    static int[] labels(List<double[]> rows) {
        int[] y = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            y[r] = (int) row[row.length - 1];
        }
        return y;
    }
}
