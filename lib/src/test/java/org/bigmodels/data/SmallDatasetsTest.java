package org.bigmodels.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import tech.tablesaw.api.Table;

/** Iris, Digits and Tiny Shakespeare against SOURCES.md and the raw files. */
class SmallDatasetsTest {

    @Test
    void irisHas50PerSpeciesAndMatchesTheFile() throws IOException {
        Split iris = Iris.load();
        assertEquals(150, iris.size());
        assertArrayEquals(new int[]{50, 50, 50}, iris.labelCounts());
        List<String> lines = Files.readAllLines(SourcesTable.file("sklearn/iris.csv"));
        String[] last = lines.get(150).split(",");
        for (int c = 0; c < 4; c++) {
            assertEquals(Double.parseDouble(last[c]), iris.features().getDouble(149, c), 1e-6);
        }
        assertEquals(Integer.parseInt(last[4]), iris.labels().getInt(149));

        Table table = Iris.table();
        assertEquals(150, table.rowCount());
        assertEquals(List.of("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", "species"),
                table.columnNames());
        assertEquals("setosa", table.stringColumn("species").get(0));
        assertEquals(5.1, table.doubleColumn("sepal length (cm)").get(0), 1e-9);
    }

    @Test
    void digitsMatchSourcesMd() throws IOException {
        Split digits = Digits.load();
        assertEquals(1797, digits.size());
        assertEquals(64, digits.features().columns());
        assertArrayEquals(SourcesTable.numbersAfter("sklearn/digits.csv.gz", "Rows per class 0-9 ="), digits.labelCounts());
        assertEquals(1.0, digits.features().maxNumber().doubleValue(), 1e-7);
        Table table = Digits.table();
        assertEquals(65, table.columnCount());
        assertEquals(16.0, table.intColumn("p19").max(), 0.0);
    }

    @Test
    void digitsSplitIsDeterministicAndComplete() {
        TrainTest a = Digits.split(0.2, 42);
        TrainTest b = Digits.split(0.2, 42);
        TrainTest c = Digits.split(0.2, 7);
        assertEquals(359, a.test().size());
        assertEquals(1797, a.train().size() + a.test().size());
        assertEquals(a.test().features(), b.test().features());
        assertNotEquals(a.test().features(), c.test().features());
        // every example lands on exactly one side: compare the multisets of rows
        List<String> all = rows(Digits.load());
        List<String> parts = rows(a.train());
        parts.addAll(rows(a.test()));
        Collections.sort(all);
        Collections.sort(parts);
        assertEquals(all, parts);
        int[] counts = a.train().labelCounts();
        int[] testCounts = a.test().labelCounts();
        int[] total = Digits.load().labelCounts();
        for (int k = 0; k < 10; k++) {
            assertEquals(total[k], counts[k] + testCounts[k]);
        }
        assertThrows(IllegalArgumentException.class, () -> Digits.split(1.0, 1));
    }

    private static List<String> rows(Split split) {
        List<String> rows = new ArrayList<>();
        float[] x = split.features().data().asFloat();
        int[] y = split.labelArray();
        for (int i = 0; i < split.size(); i++) {
            rows.add(y[i] + ":" + java.util.Arrays.toString(java.util.Arrays.copyOfRange(x, i * 64, i * 64 + 64)));
        }
        return rows;
    }

    @Test
    void tinyShakespeareMatchesSourcesMd() {
        String text = TinyShakespeare.text();
        assertEquals(1115394, text.length());
        assertEquals(40000, text.chars().filter(ch -> ch == '\n').count());
        assertEquals(65, text.chars().distinct().count());
        assertEquals("First Citizen:", text.substring(0, 14));
    }
}
