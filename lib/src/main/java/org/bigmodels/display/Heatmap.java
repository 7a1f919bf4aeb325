package org.bigmodels.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/**
 * A matrix drawn as square coloured cells with Java2D, row 0 at the top (as a matrix is written), a colour
 * bar beside it, and the course's one colour convention:
 * <ul>
 *   <li><b>sequential</b> for magnitudes and counts (no value below 0): white at 0, dark blue at the maximum;</li>
 *   <li><b>diverging</b> for signed values (some value below 0): blue for negative, white at 0, red for positive,
 *       symmetric around 0 so that equal magnitudes get equally strong colours.</li>
 * </ul>
 * A {@code NaN} cell is <i>masked</i>: drawn light grey, it takes no part in the colour scale (e.g. the diagonal of
 * a confusion matrix, so that the errors set the scale). Drawn by {@link Plots#heatmap} and
 * {@link Plots#confusionMatrix}. Notebooks: 00-welcome, 03-mlp-mnist, 04-tiny-gpt.
 */
public final class Heatmap {

    /** The sequential map's anchors, from 0 to the maximum (white to dark blue). */
    static final Color[] SEQUENTIAL = {new Color(0xFFFFFF), new Color(0xC6DBEF), new Color(0x6BAED6),
            new Color(0x2171B5), new Color(0x08306B)};
    /** The diverging map's anchors, from -max to +max (blue, white at 0, red). */
    static final Color[] DIVERGING = {new Color(0x2166AC), new Color(0x92C5DE), new Color(0xF7F7F7),
            new Color(0xF4A582), new Color(0xB2182B)};
    /** The colour of a masked ({@code NaN}) cell. */
    public static final Color MASKED = new Color(0xE6E6E6);

    private static final Font TITLE = XChartFonts.TITLE;
    private static final Font TEXT = XChartFonts.TEXT;
    private static final int GRID = 560;
    private static final int BAR_W = 18;

    private Heatmap() {
    }

    /** The colour scale's range: {@code [0, max]} when no value is negative, else {@code [-m, m]}, m = max |v|. */
    static double[] range(double[][] values) {
        double max = 0;
        double min = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        if (min < 0) {
            double m = Math.max(-min, max);
            return new double[]{-m, m};
        }
        return new double[]{0, max > 0 ? max : 1};
    }

    /** The colour of {@code v} on the scale {@code [lo, hi]}: sequential when {@code lo == 0}, else diverging. */
    static Color colour(double v, double lo, double hi) {
        if (Double.isNaN(v)) {
            return MASKED;
        }
        Color[] map = lo < 0 ? DIVERGING : SEQUENTIAL;
        double t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
        double pos = t * (map.length - 1);
        int i = Math.min(map.length - 2, (int) Math.floor(pos));
        double f = pos - i;
        Color a = map[i];
        Color b = map[i + 1];
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    /**
     * Draws the grid. {@code text[r][c]} is written in cell (r, c) when {@code text} is not null (null entries are
     * left blank); the caller has checked the shapes and labels.
     */
    static BufferedImage draw(String title, String xLabel, String yLabel, String scaleLabel, double[][] values,
                              String[][] text, String[] xTicks, String[] yTicks) {
        int rows = values.length;
        int cols = values[0].length;
        int cell = Math.max(12, Math.min(64, GRID / Math.max(rows, cols)));
        double[] range = range(values);

        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(TEXT);
        FontMetrics fm = pg.getFontMetrics();
        pg.dispose();
        int yTickW = 0;
        for (String s : yTicks) {
            yTickW = Math.max(yTickW, fm.stringWidth(s));
        }
        int xTickW = 0;
        for (String s : xTicks) {
            xTickW = Math.max(xTickW, fm.stringWidth(s));
        }
        boolean rotateX = xTickW + 4 > cell;
        double[] scaleTicks = ticks(range[0], range[1]);
        int scaleTickW = 0;
        for (double t : scaleTicks) {
            scaleTickW = Math.max(scaleTickW, fm.stringWidth(Format.tick(t)));
        }

        int left = 12 + fm.getHeight() + 8 + yTickW + 6;
        int top = 44;
        int gridW = cols * cell;
        int gridH = rows * cell;
        int xTickH = rotateX ? xTickW : fm.getHeight();
        int bottom = 8 + xTickH + 8 + fm.getHeight() + 12;
        int barX = left + gridW + 24;
        int right = BAR_W + 6 + scaleTickW + 10 + fm.getHeight() + 12;
        int width = Math.max(barX + right, 40 + titleWidth(title));
        int height = top + gridH + bottom;

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);

            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            FontMetrics tm = g.getFontMetrics();
            g.drawString(title, Math.max(8, (width - tm.stringWidth(title)) / 2), 12 + tm.getAscent());
            g.setFont(TEXT);

            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    Color fill = colour(values[r][c], range[0], range[1]);
                    int x = left + c * cell;
                    int y = top + r * cell;
                    g.setColor(fill);
                    g.fillRect(x, y, cell, cell);
                    String s = text == null ? null : text[r][c];
                    if (s != null && !s.isEmpty() && fm.stringWidth(s) + 2 <= cell) {
                        g.setColor(Double.isNaN(values[r][c]) ? new Color(0x777777)
                                : luminance(fill) < 0.5 ? Color.WHITE : Color.BLACK);
                        g.drawString(s, x + (cell - fm.stringWidth(s)) / 2, y + (cell + fm.getAscent()) / 2 - 2);
                    }
                }
            }
            g.setColor(new Color(0x999999));
            g.drawRect(left, top, gridW, gridH);

            // tick labels: rows on the left, columns below
            g.setColor(Color.BLACK);
            for (int r = 0; r < rows; r++) {
                g.drawString(yTicks[r], left - 6 - fm.stringWidth(yTicks[r]), top + r * cell + (cell + fm.getAscent()) / 2 - 2);
            }
            for (int c = 0; c < cols; c++) {
                int cx = left + c * cell + cell / 2;
                if (rotateX) {
                    AffineTransform saved = g.getTransform();
                    g.translate(cx + fm.getAscent() / 2 - 1, top + gridH + 6);
                    g.rotate(Math.PI / 2);
                    g.drawString(xTicks[c], 0, 0);
                    g.setTransform(saved);
                } else {
                    g.drawString(xTicks[c], cx - fm.stringWidth(xTicks[c]) / 2, top + gridH + 6 + fm.getAscent());
                }
            }
            // axis titles
            g.drawString(xLabel, left + (gridW - fm.stringWidth(xLabel)) / 2, top + gridH + 8 + xTickH + 8 + fm.getAscent());
            drawVertical(g, yLabel, 12 + fm.getAscent(), top + gridH / 2);

            // colour bar: top = hi, bottom = lo
            for (int i = 0; i < gridH; i++) {
                double v = range[1] - (range[1] - range[0]) * i / Math.max(1, gridH - 1);
                g.setColor(colour(v, range[0], range[1]));
                g.fillRect(barX, top + i, BAR_W, 1);
            }
            g.setColor(new Color(0x999999));
            g.drawRect(barX, top, BAR_W, gridH);
            g.setColor(Color.BLACK);
            for (double t : scaleTicks) {
                int y = top + (int) Math.round((range[1] - t) / (range[1] - range[0]) * (gridH - 1));
                g.drawLine(barX + BAR_W, y, barX + BAR_W + 4, y);
                g.drawString(Format.tick(t), barX + BAR_W + 6, y + fm.getAscent() / 2 - 1);
            }
            drawVertical(g, scaleLabel, barX + BAR_W + 6 + scaleTickW + 10 + fm.getAscent(), top + gridH / 2);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Round tick values inside {@code [lo, hi]}, always including both ends' nearest round values. */
    static double[] ticks(double lo, double hi) {
        double step = Timeline.niceStep((hi - lo) / 5);
        int first = (int) Math.ceil(lo / step - 1e-9);
        int last = (int) Math.floor(hi / step + 1e-9);
        double[] out = new double[Math.max(0, last - first + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (first + i) * step;
        }
        return out;
    }

    private static int titleWidth(String title) {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = probe.createGraphics();
        g.setFont(TITLE);
        int w = g.getFontMetrics().stringWidth(title);
        g.dispose();
        return w;
    }

    /** Text rotated a quarter turn anticlockwise, centred on y, baseline at x. */
    private static void drawVertical(Graphics2D g, String s, int x, int centreY) {
        AffineTransform saved = g.getTransform();
        g.translate(x, centreY + g.getFontMetrics().stringWidth(s) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(s, 0, 0);
        g.setTransform(saved);
    }

    private static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
    }
}
