package org.bigmodels.display;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

import tech.tablesaw.api.Table;

/**
 * Small HTML views of the course's values: a Tablesaw table (first rows only) and an ND4J array
 * (shape, type and a summary of the values). Everything user-supplied is escaped. Notebook: 00-welcome.
 */
public final class Html {

    /** Rows shown before the rest is summarised as "… N more rows". */
    public static final int MAX_ROWS = 20;
    /** Columns shown before the rest is summarised. */
    public static final int MAX_COLUMNS = 16;
    /** Array elements printed before ND4J summarises with "...". */
    public static final int MAX_ELEMENTS = 100;

    private Html() {
    }

    /** {@code text} safe to put inside an HTML element or attribute. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The table's first {@link #MAX_ROWS} rows and {@link #MAX_COLUMNS} columns. */
    public static String table(Table table) {
        return table(table, MAX_ROWS);
    }

    /** The table's first {@code maxRows} rows, with a note saying how many were left out. */
    public static String table(Table table, int maxRows) {
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must be 0 or more, got " + maxRows);
        }
        int rows = table.rowCount();
        int columns = table.columnCount();
        int shownRows = Math.min(rows, maxRows);
        int shownColumns = Math.min(columns, MAX_COLUMNS);
        StringBuilder sb = new StringBuilder("<table>\n<caption>")
                .append(escape(table.name())).append(" (").append(rows).append(" rows × ")
                .append(columns).append(" columns)</caption>\n<thead><tr>");
        for (int c = 0; c < shownColumns; c++) {
            sb.append("<th>").append(escape(table.column(c).name())).append("</th>");
        }
        if (shownColumns < columns) {
            sb.append("<th>…</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < shownRows; r++) {
            sb.append("<tr>");
            for (int c = 0; c < shownColumns; c++) {
                sb.append("<td>").append(escape(table.column(c).getString(r))).append("</td>");
            }
            if (shownColumns < columns) {
                sb.append("<td>…</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        if (shownRows < rows || shownColumns < columns) {
            sb.append("<p><em>");
            if (shownRows < rows) {
                sb.append("… ").append(rows - shownRows).append(" more rows");
            }
            if (shownColumns < columns) {
                sb.append(shownRows < rows ? ", " : "… ").append(columns - shownColumns).append(" more columns");
            }
            sb.append("</em></p>\n");
        }
        return sb.toString();
    }

    /** One line naming an array's shape and data type, e.g. {@code INDArray [2, 3] FLOAT}. */
    public static String describe(INDArray array) {
        return "INDArray " + Arrays.toString(array.shape()) + " " + array.dataType();
    }

    /** Plain-text view of an array: {@link #describe} then the values, summarised past {@link #MAX_ELEMENTS}. */
    public static String arrayText(INDArray array) {
        return describe(array) + "\n" + array.toString(MAX_ELEMENTS, false, 4);
    }

    /** {@link #arrayText} as preformatted HTML. */
    public static String array(INDArray array) {
        return "<pre>" + escape(arrayText(array)) + "</pre>";
    }
}
