package org.bigmodels.display;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The plots the course draws again and again, each with a title and labelled axes (with units) passed
 * by the caller: a chart without them cannot be read, so blank ones are refused. Charts are XChart
 * objects (shown inline when they are a cell's last expression); grids and timelines are images.
 * Notebook: 00-welcome.
 */
public final class Plots {

    /** Width of every chart, in pixels. */
    public static final int WIDTH = 720;
    /** Height of every chart, in pixels. */
    public static final int HEIGHT = 420;

    static {
        Headless.ensure();
    }

    private Plots() {
    }

    /**
     * Lines sharing one x axis, e.g. training and validation loss per step.
     *
     * @param seriesY series name to its y values; each as long as {@code x}
     */
    public static XYChart curves(String title, String xLabel, String yLabel, Map<String, double[]> seriesY, double[] x) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        requireText(yLabel, "y-axis label");
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException("curves: x is empty; pass one x value per point (e.g. the step numbers).");
        }
        if (seriesY == null || seriesY.isEmpty()) {
            throw new IllegalArgumentException("curves: no series given; pass e.g. Map.of(\"train loss\", losses).");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(seriesY.size() > 1);
        for (var entry : seriesY.entrySet()) {
            double[] y = entry.getValue();
            if (y == null || y.length != x.length) {
                throw new IllegalArgumentException("curves: series '" + entry.getKey() + "' has "
                        + (y == null ? "no" : String.valueOf(y.length)) + " values but x has " + x.length
                        + "; every series needs one y per x.");
            }
            XYSeries series = chart.addSeries(entry.getKey(), x, y);
            series.setMarker(x.length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return chart;
    }

    /** Counts of {@code values} in {@code bins} equal-width bins between their minimum and maximum; y is "count". */
    public static XYChart histogram(String title, String xLabel, double[] values, int bins) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("histogram: no values to count.");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("histogram: bins must be at least 1, got " + bins);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("histogram: values must be finite, found " + v);
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (max == min) {
            min -= 0.5;
            max += 0.5;
        }
        long[] counts = new long[bins];
        double width = (max - min) / bins;
        for (double v : values) {
            counts[Math.min(bins - 1, (int) ((v - min) / width))]++;
        }
        // a filled step outline: up at each bin's left edge, across, down at the right edge
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        xs.add(min);
        ys.add(0.0);
        for (int b = 0; b < bins; b++) {
            xs.add(min + b * width);
            ys.add((double) counts[b]);
            xs.add(min + (b + 1) * width);
            ys.add((double) counts[b]);
        }
        xs.add(max);
        ys.add(0.0);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle("count").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Area);
        chart.addSeries("count", xs, ys).setMarker(SeriesMarkers.NONE);
        // round axis ends so that XChart's ticks land on round numbers
        double step = Timeline.niceStep((max - min) / 8);
        chart.getStyler().setXAxisMin(Math.floor(min / step) * step);
        chart.getStyler().setXAxisMax(Math.ceil(max / step) * step);
        chart.getStyler().setXAxisDecimalPattern(step >= 1 ? "#,##0" : "0.###");
        return chart;
    }

    /**
     * A grid of coloured cells, row 0 at the top: a confusion matrix, attention weights.
     *
     * @param values {@code values[row][column]}; all rows the same length
     * @param xTicks one label per column
     * @param yTicks one label per row
     */
    public static HeatMapChart heatmap(String title, String xLabel, String yLabel, double[][] values,
                                       String[] xTicks, String[] yTicks) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        requireText(yLabel, "y-axis label");
        if (values == null || values.length == 0 || values[0].length == 0) {
            throw new IllegalArgumentException("heatmap: values is empty; pass values[row][column].");
        }
        int rows = values.length;
        int cols = values[0].length;
        for (int r = 0; r < rows; r++) {
            if (values[r].length != cols) {
                throw new IllegalArgumentException("heatmap: row " + r + " has " + values[r].length
                        + " values but row 0 has " + cols + "; all rows must be the same length.");
            }
        }
        if (xTicks == null || xTicks.length != cols) {
            throw new IllegalArgumentException("heatmap: " + cols + " columns need " + cols + " xTicks, got "
                    + (xTicks == null ? "null" : String.valueOf(xTicks.length)) + ".");
        }
        if (yTicks == null || yTicks.length != rows) {
            throw new IllegalArgumentException("heatmap: " + rows + " rows need " + rows + " yTicks, got "
                    + (yTicks == null ? "null" : String.valueOf(yTicks.length)) + ".");
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(Math.max(HEIGHT, WIDTH * 3 / 4))
                .title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setShowValue(rows * cols <= 144);
        chart.getStyler().setHeatMapValueDecimalPattern("#.##");
        chart.getStyler().setRangeColors(new Color[]{new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        List<String> x = List.of(xTicks);
        // XChart puts y index 0 at the bottom; reverse so row 0 reads at the top, as in a matrix
        List<String> y = new ArrayList<>();
        for (int r = rows - 1; r >= 0; r--) {
            y.add(yTicks[r]);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                cells.add(new Number[]{c, rows - 1 - r, values[r][c]});
            }
        }
        chart.addSeries(title, x, y, cells);
        // the colour scale's ends, rounded to two significant digits so that its legend reads e.g. 0.55, not 0.547285795
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        chart.getStyler().setMin(round(min, java.math.RoundingMode.FLOOR));
        chart.getStyler().setMax(round(max, java.math.RoundingMode.CEILING));
        return chart;
    }

    /**
     * Small grey images side by side with a caption under each, e.g. digits and their labels.
     *
     * @param images   [n, h*w] (square images) or [n, h, w], intensities in [0, 1]
     * @param cols     images per row
     * @param captions one per image, or null for none
     */
    public static BufferedImage imageGrid(String title, INDArray images, int cols, String[] captions) {
        requireText(title, "title");
        return ImageGrid.draw(title, images, cols, captions);
    }

    /**
     * A Gantt chart: one lane per worker or stage, lanes in order of first appearance, one bar per busy
     * interval; e.g. a pipeline schedule with {@code xLabel = "time (ms)"}.
     */
    public static BufferedImage timeline(String title, String xLabel, List<Bar> bars) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        if (bars == null || bars.isEmpty()) {
            throw new IllegalArgumentException("timeline: no bars to draw.");
        }
        return Timeline.draw(title, xLabel, bars);
    }

    /** Writes the chart as a PNG; the file appears whole or not at all. Returns {@code png}. */
    public static Path save(Chart<?, ?> chart, Path png) {
        return write(Png.of(chart), png);
    }

    /** Writes the image as a PNG; the file appears whole or not at all. Returns {@code png}. */
    public static Path save(RenderedImage image, Path png) {
        return write(Png.of(image), png);
    }

    private static Path write(byte[] bytes, Path png) {
        Path target = png.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
                    + "." + Thread.currentThread().getId() + ".tmp");
            try {
                Files.write(tmp, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return png;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static double round(double value, java.math.RoundingMode mode) {
        if (value == 0 || !Double.isFinite(value)) {
            return value;
        }
        return new java.math.BigDecimal(value).round(new java.math.MathContext(2, mode)).doubleValue();
    }

    private static void requireText(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("A plot needs a " + what + " (with units where there are any, e.g. "
                    + "\"time (ms)\"), got " + (text == null ? "null" : "'" + text + "'") + ".");
        }
    }
}
