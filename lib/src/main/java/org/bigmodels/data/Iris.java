package org.bigmodels.data;

import java.util.List;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Fisher's Iris flowers: 150 rows, 4 measurements in centimetres, 3 species (50 each). Small enough to
 * print whole; the course's first table. Notebook: 00-welcome.
 */
public final class Iris {

    /** Feature names with their unit, in column order. */
    public static final List<String> FEATURE_NAMES = List.of("sepal length (cm)", "sepal width (cm)",
            "petal length (cm)", "petal width (cm)");
    /** Species, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of("setosa", "versicolor", "virginica");

    private static volatile List<double[]> rows;

    private Iris() {
    }

    private static synchronized List<double[]> rows() {
        if (rows == null) {
            List<double[]> read = CsvRows.read(Datasets.path(DatasetFile.IRIS), 1, FEATURE_NAMES.size() + 1);
            rows = List.copyOf(read);
        }
        return rows;
    }

    /** All 150 rows: features [150, 4] FLOAT in centimetres, labels 0-2. A fresh split each call. */
    public static Split load() {
        List<double[]> r = rows();
        return Split.of("iris", CsvRows.features(r, FEATURE_NAMES.size()), FEATURE_NAMES.size(), CsvRows.labels(r),
                CLASS_NAMES.size());
    }

    /** The same rows as a table: the four measurements and a {@code species} column. */
    public static Table table() {
        List<double[]> r = rows();
        Table table = Table.create("iris");
        for (int c = 0; c < FEATURE_NAMES.size(); c++) {
            double[] values = new double[r.size()];
            for (int i = 0; i < r.size(); i++) {
                values[i] = r.get(i)[c];
            }
            table.addColumns(DoubleColumn.create(FEATURE_NAMES.get(c), values));
        }
        StringColumn species = StringColumn.create("species");
        for (int label : CsvRows.labels(r)) {
            species.append(CLASS_NAMES.get(label));
        }
        return table.addColumns(species);
    }
}
