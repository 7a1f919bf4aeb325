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
 * Small HTML views of the course's values: a Tablesaw table (first rows only; each number column in one
 * format chosen from the whole column by {@link Format#column}, numbers right-aligned) and an
 * ND4J array (shape, type and a summary of the values). Everything user-supplied is escaped. A table is shown
 * this way whenever it is a cell's last expression. Notebooks: 00-welcome, and every table from 01-tensors on.
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

    /**
     * The table's first {@link #MAX_ROWS} rows and {@link #MAX_COLUMNS} columns, numbers formatted per column (see
     * {@link Format#column}): doubles 0.827 and 0.8271 show as {@code 0.8270} and {@code 0.8271}, an int 1234567
     * as {@code 1,234,567}.
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
        String[][] cells = cells(table, shownRows, shownColumns);
        for (int r = 0; r < shownRows; r++) {
            sb.append("<tr>");
            for (int c = 0; c < shownColumns; c++) {
                Column<?> column = table.column(c);
                if (column instanceof NumberColumn<?, ?> && !column.isMissing(r)) {
                    sb.append("<td style=\"text-align:right\">").append(escape(cells[c][r])).append("</td>");
                } else {
                    sb.append("<td>").append(escape(cells[c][r])).append("</td>");
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
     * The plain-text view of {@link #table(Table)} (what a notebook viewer shows when it prefers text/plain): the
     * same rounded cell strings, columns padded, numbers right-aligned, e.g.
     * <pre>
     * name | loss
     * -----+-------
     * a    | 0.8270
     * </pre>
     */
    public static String tableText(Table table) {
        int rows = table.rowCount();
        int columns = table.columnCount();
        int shownRows = Math.min(rows, MAX_ROWS);
        int shownColumns = Math.min(columns, MAX_COLUMNS);
        String[][] cells = cells(table, shownRows, shownColumns);
        int[] width = new int[shownColumns];
        for (int c = 0; c < shownColumns; c++) {
            width[c] = table.column(c).name().length();
            for (int r = 0; r < shownRows; r++) {
                width[c] = Math.max(width[c], cells[c][r].length());
            }
        }
        StringBuilder sb = new StringBuilder(table.name()).append(" (").append(rows).append(" rows × ")
                .append(columns).append(" columns)\n");
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < shownColumns; c++) {
            boolean right = table.column(c) instanceof NumberColumn<?, ?>;
            sb.append(c > 0 ? " | " : "").append(pad(table.column(c).name(), width[c], right));
            rule.append(c > 0 ? "-+-" : "").append("-".repeat(width[c]));
        }
        sb.append('\n').append(rule).append('\n');
        for (int r = 0; r < shownRows; r++) {
            for (int c = 0; c < shownColumns; c++) {
                boolean right = table.column(c) instanceof NumberColumn<?, ?>;
                sb.append(c > 0 ? " | " : "").append(pad(cells[c][r], width[c], right));
            }
            sb.append('\n');
        }
        if (shownRows < rows) {
            sb.append("… ").append(rows - shownRows).append(" more rows\n");
        }
        if (shownColumns < columns) {
            sb.append("… ").append(columns - shownColumns).append(" more columns\n");
        }
        return sb.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    /**
     * The shown cells as strings, {@code [column][row]}: each number column in ONE format chosen from the whole
     * column by {@link Format#column} (whole-number columns with thousands separators, others with the same
     * decimals in every cell, or scientific for every cell when the column spans many orders of magnitude);
     * missing values empty; other columns as Tablesaw writes them.
     */
    static String[][] cells(Table table, int shownRows, int shownColumns) {
        String[][] cells = new String[shownColumns][shownRows];
        for (int c = 0; c < shownColumns; c++) {
            Column<?> column = table.column(c);
            String[] formatted = null;
            if (column instanceof IntColumn || column instanceof LongColumn || column instanceof ShortColumn) {
                formatted = new String[column.size()];
                for (int r = 0; r < shownRows; r++) {
                    formatted[r] = column.isMissing(r) ? "" : Format.integer(((Number) column.get(r)).longValue());
                }
            } else if (column instanceof NumberColumn<?, ?> number) {
                double[] all = new double[column.size()];
                for (int r = 0; r < all.length; r++) {
                    all[r] = column.isMissing(r) ? Double.NaN : number.getDouble(r);
                }
                formatted = Format.column(all);
            }
            for (int r = 0; r < shownRows; r++) {
                if (column.isMissing(r)) {
                    cells[c][r] = formatted == null ? column.getString(r) : "";
                } else {
                    cells[c][r] = formatted == null ? column.getString(r) : formatted[r];
                }
            }
        }
        return cells;
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
