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
import java.util.function.Function;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The plots the course draws again and again, each with a title and labelled axes (with units) passed
 * by the caller: a chart without them cannot be read, so blank ones are refused. Charts are XChart
 * objects (shown inline when they are a cell's last expression); heatmaps, grids and timelines are images.
 *
 * <p>Readable by default: every XChart chart made here labels both axes' ticks with a decimal pattern chosen from
 * the data ({@link #axisPattern}: no 16-digit decimals; 0.1 + 0.2 reads 0.3, 0.0003 reads 0.0003). Not with a
 * formatting function: given one, XChart puts a tick at every distinct data value, which is unreadable for a
 * curve of a thousand points. Change one axis with
 * {@link #xTickFormat} / {@link #yTickFormat} (e.g. {@code Plots.yTickFormat(chart, Format::percent)}), put an
 * axis on a log scale with {@link #logX} / {@link #logY} (ticks 1E-5, 1E-4, ...). Heatmaps follow one colour convention ({@link Heatmap}): sequential white to dark blue for
 * magnitudes and counts, diverging blue-white-red for signed values, with a colour bar.
 *
 * <pre>{@code
 * var chart = Plots.logX(Plots.curves("Loss after 200 steps by learning rate", "learning rate", "loss (nats)",
 *         Map.of("final loss", losses), rates));
 * Plots.bars("Time per step", "method", "time (ms)", new String[]{"naive", "blocked"},
 *         Map.of("float32", new double[]{12.5, 3.1}), true);
 * Plots.confusionMatrix("Test-set errors", Metrics.confusionMatrix(pred, truth, 10), digits);
 * }</pre>
 * Notebooks: 00-welcome (all kinds), 01-tensors (bars, log axes), 02-backprop-from-scratch (log axes),
 * 03-mlp-mnist (curves, confusion matrix), 04-tiny-gpt (heatmaps of attention, log axes).
 */
public final class Plots {

    /** Width of every chart, in pixels. */
    public static final int WIDTH = 720;
    /** Height of every chart, in pixels. */
    public static final int HEIGHT = 420;
    /** Tick labels of a log axis: {@code 1E-5}, {@code 3E-4} (java.text.DecimalFormat). */
    static final String LOG_PATTERN = "0.#E0";

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
        readable(chart, x);
        chart.getStyler().setLegendVisible(seriesY.size() > 1);
        tickGuard(chart, x, seriesY.values());
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
        chart.getStyler().setYAxisDecimalPattern(axisPattern(seriesY.values().toArray(new double[0][])));
        // the theme's colours in order for the visible series (the hidden tick guard took a colour slot)
        java.awt.Color[] colors = chart.getStyler().getSeriesColors();
        int i = 0;
        for (XYSeries series : chart.getSeriesMap().values()) {
            if (!TICK_GUARD.equals(series.getName())) {
                series.setLineColor(colors[i % colors.length]);
                series.setMarkerColor(colors[i % colors.length]);
                i++;
            }
        }
        return chart;
    }

    /**
     * A scatter chart: one group of points per entry, drawn as markers without lines, each group in its own
     * colour, with a legend when there are several groups (e.g. the three Iris species).
     *
     * @param points {@code points.get(name) = {xs, ys}}, two arrays of the same length; iteration order of the map
     *               is the legend's order (pass a LinkedHashMap)
     * @throws IllegalArgumentException on a missing title or axis label, no groups, a group that is not two arrays
     *                                  of equal length, or a non-finite coordinate
     */
    public static XYChart scatter(String title, String xLabel, String yLabel, Map<String, double[][]> points) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        requireText(yLabel, "y-axis label");
        if (points == null || points.isEmpty()) {
            throw new IllegalArgumentException("scatter: no points given; pass e.g. Map.of(\"setosa\", new double[][]{xs, ys}).");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLocale(java.util.Locale.ROOT);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setLegendVisible(points.size() > 1);
        List<double[]> allX = new ArrayList<>();
        List<double[]> allY = new ArrayList<>();
        for (var entry : points.entrySet()) {
            double[][] xy = entry.getValue();
            if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null || xy[0].length != xy[1].length
                    || xy[0].length == 0) {
                throw new IllegalArgumentException("scatter: group '" + entry.getKey() + "' must be {xs, ys}, two "
                        + "non-empty arrays of the same length; got " + describe(xy) + ".");
            }
            for (double[] axis : xy) {
                for (double v : axis) {
                    if (!Double.isFinite(v)) {
                        throw new IllegalArgumentException("scatter: group '" + entry.getKey() + "' has a non-finite coordinate " + v + ".");
                    }
                }
            }
            chart.addSeries(entry.getKey(), xy[0], xy[1]);
            allX.add(xy[0]);
            allY.add(xy[1]);
        }
        chart.getStyler().setXAxisDecimalPattern(axisPattern(allX.toArray(new double[0][])));
        chart.getStyler().setYAxisDecimalPattern(axisPattern(allY.toArray(new double[0][])));
        return chart;
    }

    private static String describe(double[][] xy) {
        if (xy == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(xy.length + " arrays");
        if (xy.length == 2 && xy[0] != null && xy[1] != null) {
            sb.append(" of lengths ").append(xy[0].length).append(" and ").append(xy[1].length);
        }
        return sb.toString();
    }

    /**
     * {@link #curves} with an error bar on every point: {@code errors.get(name)[i]} is drawn as y[i] &plusmn;
     * errors[i] (e.g. one standard deviation over repeats, or a binomial standard error), in the series' colour.
     *
     * @param errors    one array per series of {@code seriesY}, same keys, same length as {@code x}, values &ge; 0
     * @param yFromZero start the y axis at 0 (for errors, rates and other quantities whose zero matters)
     * @throws IllegalArgumentException as {@link #curves}, or when a series has no errors, errors of another length,
     *                                  or a negative / non-finite error
     */
    public static XYChart curvesWithErrors(String title, String xLabel, String yLabel, Map<String, double[]> seriesY,
                                           Map<String, double[]> errors, double[] x, boolean yFromZero) {
        XYChart chart = curves(title, xLabel, yLabel, seriesY, x);
        if (errors == null) {
            throw new IllegalArgumentException("curvesWithErrors: errors is null; pass one array of ± errors per series.");
        }
        for (var entry : seriesY.entrySet()) {
            double[] e = errors.get(entry.getKey());
            if (e == null || e.length != x.length) {
                throw new IllegalArgumentException("curvesWithErrors: series '" + entry.getKey() + "' needs "
                        + x.length + " errors (one per x), got " + (e == null ? "none" : String.valueOf(e.length)) + ".");
            }
            for (double v : e) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("curvesWithErrors: series '" + entry.getKey()
                            + "' has error " + v + "; errors are half-widths, finite and >= 0.");
                }
            }
            chart.updateXYSeries(entry.getKey(), x, entry.getValue(), e);
        }
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        if (yFromZero) {
            chart.getStyler().setYAxisMin(0.0);
        }
        // the axis must make room for the bars: widen the hidden tick guard (if any) to y ± error
        XYSeries guard = chart.getSeriesMap().get(TICK_GUARD);
        if (guard != null) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (var entry : seriesY.entrySet()) {
                double[] y = entry.getValue();
                double[] e = errors.get(entry.getKey());
                for (int i = 0; i < y.length; i++) {
                    if (Double.isFinite(y[i])) {
                        lo = Math.min(lo, y[i] - e[i]);
                        hi = Math.max(hi, y[i] + e[i]);
                    }
                }
            }
            double[] gx = guard.getXData();
            double low = yFromZero ? Math.max(0, lo) : lo;
            chart.updateXYSeries(TICK_GUARD, gx, new double[]{low, hi, low}, null);
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
        readable(chart, new double[]{min, max});
        chart.getStyler().setYAxisDecimalPattern("#,##0"); // counts
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Area);
        chart.addSeries("count", xs, ys).setMarker(SeriesMarkers.NONE);
        // round axis ends so that XChart's ticks land on round numbers
        double step = Timeline.niceStep((max - min) / 8);
        chart.getStyler().setXAxisMin(Math.floor(min / step) * step);
        chart.getStyler().setXAxisMax(Math.ceil(max / step) * step);
        return chart;
    }

    /**
     * A matrix as square coloured cells, row 0 at the top, with a colour bar titled {@code scaleLabel}:
     * sequential (white at 0 to dark blue) when no value is negative, diverging (blue, white at 0, red;
     * symmetric) when some are. {@code NaN} cells are masked: grey, outside the colour scale. See {@link Heatmap}.
     *
     * @param values     {@code values[row][column]}; all rows the same length; finite or NaN
     * @param xTicks     one label per column
     * @param yTicks     one label per row
     * @param scaleLabel what the colours measure, with units (e.g. "attention weight", "count")
     * @param annotate   write each cell's value in it (3 significant digits; whole numbers with separators)
     * @throws IllegalArgumentException on a blank title or label, a ragged or empty matrix, a tick count that
     *                                  does not match, or an infinite value
     */
    public static BufferedImage heatmap(String title, String xLabel, String yLabel, double[][] values,
                                        String[] xTicks, String[] yTicks, String scaleLabel, boolean annotate) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        requireText(yLabel, "y-axis label");
        requireText(scaleLabel, "colour-scale label");
        checkMatrix(values, xTicks, yTicks);
        String[][] text = annotate ? cellTexts(values) : null;
        return Heatmap.draw(title, xLabel, yLabel, scaleLabel, values, text, xTicks, yTicks);
    }

    /**
     * {@link #heatmap(String, String, String, double[][], String[], String[], String, boolean)} with the colour
     * bar titled "value" and cell values written when there are at most 144 cells.
     */
    public static BufferedImage heatmap(String title, String xLabel, String yLabel, double[][] values,
                                        String[] xTicks, String[] yTicks) {
        boolean small = values != null && values.length > 0 && values.length * (long) values[0].length <= 144;
        return heatmap(title, xLabel, yLabel, values, xTicks, yTicks, "value", small);
    }

    /**
     * A confusion matrix drawn so that the errors are visible: rows (true class) divided by their totals when
     * {@code rowFractions}, the diagonal masked (grey, outside the colour scale, its value still written) when
     * {@code maskDiagonal}. Axes: "predicted class" across, "true class" down; class names on both.
     *
     * @param counts  [classes][classes], rows = true class, columns = predicted class (e.g.
     *                {@code Metrics.confusionMatrix(predicted, actual, classes)})
     * @param classes one name per class
     * @throws IllegalArgumentException if counts is not square, has a negative count, or classes does not match
     */
    public static BufferedImage confusionMatrix(String title, int[][] counts, String[] classes,
                                                boolean rowFractions, boolean maskDiagonal) {
        requireText(title, "title");
        int k = ConfusionMatrix.checkSquare(counts, "confusionMatrix");
        if (classes == null || classes.length != k) {
            throw new IllegalArgumentException("confusionMatrix: " + k + " classes need " + k + " class names, got "
                    + (classes == null ? "null" : String.valueOf(classes.length)) + ".");
        }
        double[][] shown = rowFractions ? ConfusionMatrix.rowFractions(counts) : ConfusionMatrix.asDoubles(counts);
        String[][] text = confusionTexts(counts, rowFractions);
        double[][] colours = maskDiagonal ? ConfusionMatrix.maskDiagonal(shown) : shown;
        String scale = (rowFractions ? "fraction of the true class" : "count")
                + (maskDiagonal ? " (diagonal masked)" : "");
        return Heatmap.draw(title, "predicted class", "true class", scale, colours, text, classes, classes);
    }

    /** {@link #confusionMatrix(String, int[][], String[], boolean, boolean)} with row fractions and the diagonal masked. */
    public static BufferedImage confusionMatrix(String title, int[][] counts, String[] classes) {
        return confusionMatrix(title, counts, classes, true, true);
    }

    /**
     * Grouped bars: one group per category along x, one bar per series in each group, e.g. the time of each
     * method (categories) for float32 and float64 (series).
     *
     * @param categories  the group names along x
     * @param seriesY     series name to one value per category (insertion order = bar order in each group)
     * @param valueLabels write each bar's value above it
     * @throws IllegalArgumentException on a blank title or label, no categories or series, a series whose length
     *                                  is not the number of categories, or a non-finite value
     */
    public static CategoryChart bars(String title, String xLabel, String yLabel, String[] categories,
                                     Map<String, double[]> seriesY, boolean valueLabels) {
        return bars(title, xLabel, yLabel, categories, seriesY, valueLabels, false);
    }

    /**
     * {@link #bars(String, String, String, String[], Map, boolean)}, with the series' bars {@code stacked} on top of
     * each other in each category (the bar's height is then the sum of the series, e.g. time split into parts)
     * rather than side by side.
     *
     * @throws IllegalArgumentException as the unstacked form
     */
    public static CategoryChart bars(String title, String xLabel, String yLabel, String[] categories,
                                     Map<String, double[]> seriesY, boolean valueLabels, boolean stacked) {
        requireText(title, "title");
        requireText(xLabel, "x-axis label");
        requireText(yLabel, "y-axis label");
        if (categories == null || categories.length == 0) {
            throw new IllegalArgumentException("bars: no categories given; pass e.g. new String[]{\"naive\", \"blocked\"}.");
        }
        if (seriesY == null || seriesY.isEmpty()) {
            throw new IllegalArgumentException("bars: no series given; pass e.g. Map.of(\"time\", new double[]{12.5, 3.1}).");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisDecimalPattern(barPattern(seriesY.values().toArray(new double[0][])));
        chart.getStyler().setLegendVisible(seriesY.size() > 1);
        chart.getStyler().setLabelsVisible(valueLabels);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setDecimalPattern("#,##0.###");
        List<String> x = List.of(categories);
        for (var entry : seriesY.entrySet()) {
            double[] y = entry.getValue();
            if (y == null || y.length != categories.length) {
                throw new IllegalArgumentException("bars: series '" + entry.getKey() + "' has "
                        + (y == null ? "no" : String.valueOf(y.length)) + " values but there are " + categories.length
                        + " categories; every series needs one value per category.");
            }
            List<Double> ys = new ArrayList<>();
            for (double v : y) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("bars: series '" + entry.getKey() + "' has a non-finite value " + v + ".");
                }
                ys.add(v);
            }
            chart.addSeries(entry.getKey(), x, ys);
        }
        if (stacked) {
            chart.getStyler().setStacked(true);
            double[] sums = new double[categories.length];
            for (double[] y : seriesY.values()) {
                for (int i = 0; i < y.length; i++) {
                    sums[i] += y[i];
                }
            }
            chart.getStyler().setYAxisDecimalPattern(barPattern(sums));
        }
        return chart;
    }

    /** {@link #bars(String, String, String, String[], Map, boolean)} without value labels. */
    public static CategoryChart bars(String title, String xLabel, String yLabel, String[] categories,
                                     Map<String, double[]> seriesY) {
        return bars(title, xLabel, yLabel, categories, seriesY, false);
    }

    /**
     * Puts the x axis on a log scale (ticks at powers of ten, labelled {@code 1E-5}, {@code 1E-4}, ...; e.g. for
     * learning rates or sizes). Replaces the axis's tick format. Returns the chart.
     *
     * @throws IllegalArgumentException if some x value is 0 or negative (no logarithm), naming it
     */
    public static XYChart logX(XYChart chart) {
        for (XYSeries s : chart.getSeriesMap().values()) {
            requirePositive(s.getXData(), "logX", "x", s.getName());
        }
        // XChart ignores a log scale when the axis has a tick-formatting function, so the log axis gets its own
        // labels instead: powers of ten in scientific notation (1E-5, 1E-4, ...)
        chart.getStyler().setxAxisTickLabelsFormattingFunction(null);
        chart.getStyler().setXAxisDecimalPattern(LOG_PATTERN);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisLogarithmicDecadeOnly(true); // labels at 1, 10, 100 only
        logPaper(chart);
        return chart;
    }

    /**
     * Puts the y axis on a log scale (ticks at powers of ten, e.g. a loss over orders of magnitude). Replaces the
     * axis's tick format. Returns the chart.
     *
     * @throws IllegalArgumentException if some y value is 0 or negative (no logarithm), naming it
     */
    public static XYChart logY(XYChart chart) {
        for (XYSeries s : chart.getSeriesMap().values()) {
            requirePositive(s.getYData(), "logY", "y", s.getName());
        }
        chart.getStyler().setyAxisTickLabelsFormattingFunction(null);
        chart.getStyler().setYAxisDecimalPattern(LOG_PATTERN);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
        logPaper(chart);
        return chart;
    }

    /**
     * Sets how the x axis's tick values are written, e.g. {@code Plots.xTickFormat(chart, Format::bytes)}.
     * On an {@link XYChart}, XChart then puts one tick at each distinct x value of the data (good for a few
     * points, such as six model sizes; crowded for a thousand steps). Returns the chart.
     *
     * @throws IllegalArgumentException if the chart has no numeric axes (e.g. a pie chart)
     */
    public static <C extends Chart<?, ?>> C xTickFormat(C chart, Function<Double, String> format) {
        AxesChartStyler styler = axes(chart, "xTickFormat");
        if (styler.isXAxisLogarithmic()) {
            throw new IllegalArgumentException("xTickFormat: the x axis is logarithmic and XChart would draw it linear "
                    + "with a tick format; keep the log axis's own labels (1E-5, 1E-4, ...) or drop logX.");
        }
        styler.setxAxisTickLabelsFormattingFunction(format);
        return chart;
    }

    /**
     * Sets how the y axis's tick values are written, e.g. {@code Plots.yTickFormat(chart, Format::percent)}.
     * As for {@link #xTickFormat}, XChart then puts one tick at each distinct y value of the data: use it for a few
     * points (bars, a handful of measurements), not for a long curve. Returns the chart.
     *
     * @throws IllegalArgumentException if the chart has no numeric axes (e.g. a pie chart)
     */
    public static <C extends Chart<?, ?>> C yTickFormat(C chart, Function<Double, String> format) {
        AxesChartStyler styler = axes(chart, "yTickFormat");
        if (styler.isYAxisLogarithmic()) {
            throw new IllegalArgumentException("yTickFormat: the y axis is logarithmic and XChart would draw it linear "
                    + "with a tick format; keep the log axis's own labels (1E-5, 1E-4, ...) or drop logY.");
        }
        styler.setyAxisTickLabelsFormattingFunction(format);
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

    /**
     * White background, {@link Format#tick} labels on y, and on x a decimal pattern chosen from the data (XChart
     * would put a tick at every x value if x had a formatting function): see {@link #xPattern}.
     */
    private static void readable(XYChart chart, double[] x) {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLocale(java.util.Locale.ROOT);
        chart.getStyler().setXAxisDecimalPattern(axisPattern(x));
        chart.getStyler().setYAxisDecimalPattern(axisPattern(x)); // replaced from the y data once it is known
    }

    /** Name of the hidden series added by {@link #tickGuard}. */
    static final String TICK_GUARD = "\u200btick guard";

    /**
     * Keeps XChart's ticks at round numbers. XChart 3.8 puts a tick at every k-th data value instead of at round
     * numbers whenever the distinct values of an axis, in the order they were added, look equally spaced to within
     * an ABSOLUTE 1e-4: true of a step axis 0..1999 (ticks 0, 143, 286, ...) and of any smooth curve of small values,
     * such as a learning-rate schedule (dozens of overlapping labels like 0.00296021). A hidden, disabled series
     * whose first values are the data's minimum and maximum, added first, makes the first spacing the whole range,
     * so the values no longer look equally spaced and XChart chooses round ticks. It is not drawn, not in the legend,
     * and does not change the axis range.
     */
    static void tickGuard(XYChart chart, double[] x, java.util.Collection<double[]> ys) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (Double.isFinite(v)) { minX = Math.min(minX, v); maxX = Math.max(maxX, v); }
        }
        for (double[] y : ys) {
            if (y == null) continue;
            for (double v : y) {
                if (Double.isFinite(v)) { minY = Math.min(minY, v); maxY = Math.max(maxY, v); }
            }
        }
        if (!(maxX > minX) || !(maxY > minY) || x.length < 8) {
            return; // a few points: ticks at the data values read well
        }
        XYSeries guard = chart.addSeries(TICK_GUARD, new double[]{minX, maxX, minX}, new double[]{minY, maxY, minY});
        guard.setEnabled(false);
        guard.setShowInLegend(false);
        guard.setMarker(SeriesMarkers.NONE);
    }

    /**
     * An axis's tick pattern from the values it shows: scientific ({@code 0.##E0}) when every |v| is below 1e-6 or
     * some |v| reaches 1e9, else up to 8 decimals with trailing zeros dropped and thousands separators
     * ({@code #,##0.########}), so 0.30000000000000004 reads 0.3 and 0.0003 reads 0.0003.
     */
    /**
     * The y pattern of a bar chart: {@link #axisPattern}'s, but with three significant digits of the tallest bar, since
     * XChart writes the bars' value labels with it (19.398656 reads 19.4, 0.0123456 reads 0.0123); a bar axis starts
     * at 0, so its ticks are round steps of the tallest bar and lose nothing.
     */
    static String barPattern(double[]... values) {
        String p = axisPattern(values);
        if (p.contains("E")) {
            return p;
        }
        double max = 0;
        for (double[] vs : values) {
            for (double v : vs) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        int decimals = max == 0 ? 0 : Math.max(0, Math.min(8, 2 - (int) Math.floor(Math.log10(max))));
        return decimals == 0 ? "#,##0" : "#,##0." + "#".repeat(decimals);
    }

    static String axisPattern(double[]... values) {
        double max = 0;
        for (double[] vs : values) {
            for (double v : vs) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        return (max > 0 && max < 1e-6) || max >= 1e9 ? "0.##E0" : "#,##0.########";
    }

    /**
     * XChart draws a grid line at every minor tick of a log axis (2, 3, ..., 9 per decade); in its default dashed grey
     * they merge into a grey band. Thin solid very light lines read as log paper instead.
     */
    private static void logPaper(XYChart chart) {
        chart.getStyler().setPlotGridLinesStroke(new java.awt.BasicStroke(1f));
        chart.getStyler().setPlotGridLinesColor(LOG_GRID);
    }

    static final Color LOG_GRID = new Color(0xEEEEEE);

    private static AxesChartStyler axes(Chart<?, ?> chart, String method) {
        if (chart.getStyler() instanceof AxesChartStyler styler) {
            return styler;
        }
        throw new IllegalArgumentException(method + ": a " + chart.getClass().getSimpleName()
                + " has no numeric axes; tick formats apply to XYChart and CategoryChart.");
    }

    private static void requirePositive(double[] data, String method, String axis, String series) {
        for (int i = 0; i < data.length; i++) {
            if (!(data[i] > 0)) {
                throw new IllegalArgumentException(method + ": a log axis needs every " + axis + " > 0, but series '"
                        + series + "' has " + axis + "[" + i + "] = " + data[i] + "; drop that point or use a linear axis.");
            }
        }
    }

    private static void checkMatrix(double[][] values, String[] xTicks, String[] yTicks) {
        if (values == null || values.length == 0 || values[0] == null || values[0].length == 0) {
            throw new IllegalArgumentException("heatmap: values is empty; pass values[row][column].");
        }
        int rows = values.length;
        int cols = values[0].length;
        for (int r = 0; r < rows; r++) {
            if (values[r] == null || values[r].length != cols) {
                throw new IllegalArgumentException("heatmap: row " + r + " has " + (values[r] == null ? 0 : values[r].length)
                        + " values but row 0 has " + cols + "; all rows must be the same length.");
            }
            for (int c = 0; c < cols; c++) {
                if (Double.isInfinite(values[r][c])) {
                    throw new IllegalArgumentException("heatmap: value [" + r + "][" + c + "] is " + values[r][c]
                            + "; colours need finite values (NaN marks a masked cell).");
                }
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
    }

    /** A cell's annotation: whole numbers with separators, others with 2 significant digits, masked cells blank. */
    /** Confusion-matrix cell labels in one format: row fractions as percent with one decimal ({@code 0.3%}), counts as integers. */
    static String[][] confusionTexts(int[][] counts, boolean rowFractions) {
        int k = counts.length;
        double[][] fractions = rowFractions ? ConfusionMatrix.rowFractions(counts) : null;
        String[][] text = new String[k][k];
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                text[t][p] = !rowFractions ? Format.integer(counts[t][p])
                        : Double.isNaN(fractions[t][p]) ? "" : Format.percent(fractions[t][p], 1);
            }
        }
        return text;
    }

    static String cellText(double v) {
        return cellTexts(new double[][]{{v}})[0][0];
    }

    /** Cell annotations of a heat map in ONE format for the whole matrix ({@link Format#column}); NaN cells empty. */
    static String[][] cellTexts(double[][] values) {
        int n = 0;
        for (double[] row : values) {
            n += row.length;
        }
        double[] flat = new double[n];
        int i = 0;
        for (double[] row : values) {
            for (double v : row) {
                flat[i++] = v;
            }
        }
        String[] formatted = Format.column(flat, 3);
        String[][] text = new String[values.length][];
        i = 0;
        for (int r = 0; r < values.length; r++) {
            text[r] = new String[values[r].length];
            for (int c = 0; c < values[r].length; c++, i++) {
                text[r][c] = Double.isNaN(values[r][c]) ? "" : formatted[i];
            }
        }
        return text;
    }

    private static void requireText(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("A plot needs a " + what + " (with units where there are any, e.g. "
                    + "\"time (ms)\"), got " + (text == null ? "null" : "'" + text + "'") + ".");
        }
    }
}
