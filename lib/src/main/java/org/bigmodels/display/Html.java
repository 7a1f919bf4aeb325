package org.bigmodels.display;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.ShortColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Small HTML views of the course's values: a Tablesaw table (first rows only; whole numbers with thousands
 * separators, floating-point numbers to {@link #TABLE_DIGITS} significant digits, numbers right-aligned) and an
 * ND4J array (shape, type and a summary of the values). Everything user-supplied is escaped. A table is shown
 * this way whenever it is a cell's last expression. Notebooks: 00-welcome, and every table from 01-tensors on.
 */
public final class Html {

    /** Rows shown before the rest is summarised as "… N more rows". */
    public static final int MAX_ROWS = 20;
    /** Columns shown before the rest is summarised. */
    public static final int MAX_COLUMNS = 16;
    /** Significant digits of floating-point cells in {@link #table}. */
    public static final int TABLE_DIGITS = 4;
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

    /**
     * The table's first {@link #MAX_ROWS} rows and {@link #MAX_COLUMNS} columns, numbers formatted (see the class
     * comment): a double 0.123456789 shows as {@code 0.1235}, an int 1234567 as {@code 1,234,567}.
     */
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
                Column<?> column = table.column(c);
                if (column instanceof NumberColumn<?, ?> && !column.isMissing(r)) {
                    sb.append("<td style=\"text-align:right\">").append(escape(cell(column, r))).append("</td>");
                } else {
                    sb.append("<td>").append(escape(column.getString(r))).append("</td>");
                }
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

    /**
     * A number cell as a table shows it: whole-number columns (int, long, short) with thousands separators
     * ({@code 1,234,567}), floating-point columns with {@link #TABLE_DIGITS} significant digits ({@code 0.1235},
     * {@code 3e-4}, {@code 12,346}; see {@link Format#sig}). Other columns as Tablesaw writes them.
     */
    static String cell(Column<?> column, int row) {
        if (column instanceof IntColumn || column instanceof LongColumn || column instanceof ShortColumn) {
            return Format.integer(((Number) column.get(row)).longValue());
        }
        if (column instanceof NumberColumn<?, ?> number) {
            return Format.sig(number.getDouble(row), TABLE_DIGITS);
        }
        return column.getString(row);
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
