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
                tech.tablesaw.api.DoubleColumn.create("loss", new double[]{2.302585092994046, 0.000312345}),
                tech.tablesaw.api.DoubleColumn.create("lr", new double[]{3e-4, 12345.678}));
        String html = Html.table(t);
        assertTrue(html.contains(">1,234,567</td>"), html);
        assertTrue(html.contains(">42</td>"), html);
        assertTrue(html.contains(">12,000,000,000</td>"), html);
        assertTrue(html.contains(">2.303</td>"), html);
        assertTrue(html.contains(">3.123e-4</td>"), html);
        assertTrue(html.contains(">3e-4</td>"), html);
        assertTrue(html.contains(">12,346</td>"), html);
        assertFalse(html.contains("2.30258"), html);
        assertTrue(html.contains("<td style=\"text-align:right\">42</td>"), html);
        assertTrue(html.contains("<td>tiny</td>"), html);
        // a missing value stays as Tablesaw writes it (empty), not "NaN"
        Table missing = Table.create("m", tech.tablesaw.api.DoubleColumn.create("x", new double[]{Double.NaN}));
        assertFalse(Html.table(missing).contains("NaN"), Html.table(missing));
    }
}
