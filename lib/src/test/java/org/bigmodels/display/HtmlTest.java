package org.bigmodels.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class HtmlTest {

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void escapesEverythingUserSupplied() {
        assertEquals("&lt;b a=&quot;1&quot;&gt;&amp;&#39;", Html.escape("<b a=\"1\">&'"));
        Table t = Table.create("<script>", StringColumn.create("x<y", "<img src=x>"));
        String html = Html.table(t);
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("x&lt;y"), html);
    }

    @Test
    void longTablesAreCut() {
        int[] values = new int[25];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 11;
        }
        Table t = Table.create("numbers", IntColumn.create("n", values));
        String html = Html.table(t);
        assertEquals(Html.MAX_ROWS + 1, count(html, "<tr>"), html);
        assertTrue(html.contains(">209</td>"), html);
        assertFalse(html.contains(">220</td>"), html);
        assertTrue(html.contains("… 5 more rows"), html);
        assertTrue(html.contains("25 rows × 1 columns"), html);
        assertFalse(Html.table(t.first(3)).contains("more rows"));
    }

    @Test
    void wideTablesAreCut() {
        Table t = Table.create("wide");
        for (int c = 0; c < 20; c++) {
            t.addColumns(IntColumn.create("c" + c, new int[]{c}));
        }
        String html = Html.table(t);
        assertEquals(Html.MAX_COLUMNS + 1, count(html, "<th>"), html);
        assertTrue(html.contains("… 4 more columns"), html);
    }

    @Test
    void arraysShowShapeTypeAndValues() {
        String text = Html.arrayText(Nd4j.createFromArray(new float[][]{{1.5f, 2}, {3, 4}}));
        assertTrue(text.startsWith("INDArray [2, 2] FLOAT\n"), text);
        assertTrue(text.contains("1.5"), text);
        String big = Html.array(Nd4j.zeros(1000, 1000));
        assertTrue(big.length() < 5000, "summarised, got " + big.length() + " chars");
        assertTrue(big.startsWith("<pre>INDArray [1000, 1000]"), big.substring(0, 40));
    }

    @Test
    void numbersAreRoundedAndGrouped() {
        Table t = Table.create("sizes",
                StringColumn.create("model", "tiny", "mlp"),
                IntColumn.create("parameters", new int[]{1_234_567, 42}),
                tech.tablesaw.api.LongColumn.create("bytes", new long[]{12_000_000_000L, 7}),
                tech.tablesaw.api.DoubleColumn.create("loss", new double[]{2.302585092994046, 0.31}),
                tech.tablesaw.api.DoubleColumn.create("lr", new double[]{3e-4, 12345.678}));
        String html = Html.table(t);
        assertTrue(html.contains(">1,234,567</td>"), html);
        assertTrue(html.contains(">42</td>"), html);
        assertTrue(html.contains(">12,000,000,000</td>"), html);
        // median magnitude 0.31 -> 4 significant digits = 4 decimals, for both cells
        assertTrue(html.contains(">2.3026</td>"), html);
        assertTrue(html.contains(">0.3100</td>"), html);
        // 3e-4 and 12,345.678 span 4e7: scientific for both, 3 digits
        assertTrue(html.contains(">3.00e-4</td>"), html);
        assertTrue(html.contains(">1.23e4</td>"), html);
        assertTrue(html.contains("<td style=\"text-align:right\">42</td>"), html);
        assertTrue(html.contains("<td>tiny</td>"), html);
        // a missing value stays empty, not "NaN"
        Table missing = Table.create("m", tech.tablesaw.api.DoubleColumn.create("x", new double[]{Double.NaN}));
        assertFalse(Html.table(missing).contains("NaN"), Html.table(missing));
    }

    @Test
    void oneFormatPerColumnFromTheWholeColumn() {
        // review examples: 0.827 vs 0.8271 -> same decimals (median 0.827 -> 4 decimals);
        // 9.896, 22.81, 10.93, 15.5 s -> median (lower) 10.93 -> 2 decimals
        Table t = Table.create("t",
                tech.tablesaw.api.DoubleColumn.create("acc", new double[]{0.827, 0.8271, 0.8, 0.9}),
                tech.tablesaw.api.DoubleColumn.create("s", new double[]{9.896, 22.81, 10.93, 15.5}),
                tech.tablesaw.api.DoubleColumn.create("flop", new double[]{712_326, 859_885_056, 2.431e9, 1.077e12}),
                tech.tablesaw.api.DoubleColumn.create("count", new double[]{1_000, 2_500_000, 3, 4}));
        String html = Html.table(t);
        for (String cell : new String[]{"0.8270", "0.8271", "0.8000", "9.90", "22.81", "15.50", "7.12e5", "8.60e8", "2.43e9",
                "1.08e12", "1,000", "2,500,000"}) {
            assertTrue(html.contains(">" + cell + "</td>"), cell + " missing in " + html);
        }
        assertFalse(html.contains("859,885,056"), html);
    }

    @Test
    void plainTextFallbackUsesTheSameRoundedStrings() {
        Table t = Table.create("scores",
                StringColumn.create("name", "a", "bb"),
                tech.tablesaw.api.DoubleColumn.create("score", new double[]{98.11999999999999, 0.13581811366677143}));
        // median magnitude 0.1358 (lower median of 2) -> 4 decimals
        String expected = "scores (2 rows × 2 columns)\n"
                + "name |   score\n"
                + "-----+--------\n"
                + "a    | 98.1200\n"
                + "bb   |  0.1358\n";
        assertEquals(expected, Html.tableText(t));
    }
}
