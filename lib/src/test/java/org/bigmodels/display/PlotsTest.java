package org.bigmodels.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.factory.Nd4j;

class PlotsTest {

    @TempDir
    Path dir;

    private static BufferedImage decode(byte[] png) throws IOException {
        assertTrue(png.length > 1000, "a real picture, got " + png.length + " bytes");
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(image != null, "decodable PNG");
        return image;
    }

    /** Number of distinct colours: a blank canvas has one. */
    private static int colours(BufferedImage image) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }

    @Test
    void curvesRender() throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("train", new double[]{2.3, 1.1, 0.7, 0.5});
        series.put("test", new double[]{2.3, 1.3, 0.9, 0.8});
        XYChart chart = Plots.curves("Loss", "step", "loss (nats)", series, new double[]{0, 1, 2, 3});
        BufferedImage image = decode(Png.of(chart));
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(Plots.HEIGHT, image.getHeight());
        assertTrue(colours(image) > 10);
        assertEquals("step", chart.getXAxisTitle());
        assertEquals("loss (nats)", chart.getYAxisTitle());
    }

    @Test
    void histogramCountsEveryValue() throws IOException {
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 10;
        }
        XYChart chart = Plots.histogram("Values", "value (units)", values, 10);
        BufferedImage image = decode(Png.of(chart));
        assertEquals(Plots.WIDTH, image.getWidth());
        var series = chart.getSeriesMap().get("count");
        double[] ys = series.getYData();
        double sum = 0;
        for (int i = 1; i < ys.length - 1; i += 2) {
            sum += ys[i];
        }
        assertEquals(1000, sum);
        assertEquals(100, ys[1]);
    }

    @Test
    void heatmapRendersAndChecksShapes() throws IOException {
        double[][] m = {{5, 1, 0}, {0, 7, 2}};
        BufferedImage image = Plots.heatmap("Confusion", "predicted class", "true class", m,
                new String[]{"a", "b", "c"}, new String[]{"a", "b"});
        decode(Png.of(image));
        assertTrue(colours(image) > 10);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.heatmap("C", "x", "y", m,
                new String[]{"a", "b"}, new String[]{"a", "b"}));
        assertTrue(e.getMessage().contains("3 columns need 3 xTicks, got 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.heatmap("C", "x", "y",
                new double[][]{{1, 2}, {3}}, new String[]{"a", "b"}, new String[]{"a", "b"}));
        assertTrue(e.getMessage().contains("row 1 has 1 values but row 0 has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.heatmap("C", "x", "y", m,
                new String[]{"a", "b", "c"}, new String[]{"a", "b"}, " ", true));
        assertTrue(e.getMessage().contains("colour-scale label"), e.getMessage());
    }

    @Test
    void oneColourConventionSequentialForMagnitudesDivergingForSignedValues() {
        // magnitudes: the scale starts at 0 (not at the smallest value), white there
        assertArrayEquals(new double[]{0, 7}, Heatmap.range(new double[][]{{5, 1}, {3, 7}}));
        assertEquals(new java.awt.Color(0xFFFFFF), Heatmap.colour(0, 0, 7));
        assertEquals(new java.awt.Color(0x08306B), Heatmap.colour(7, 0, 7));
        // signed: symmetric around 0, white-ish at 0, blue below, red above
        assertArrayEquals(new double[]{-3, 3}, Heatmap.range(new double[][]{{-3, 1}, {0, 2}}));
        assertEquals(new java.awt.Color(0xF7F7F7), Heatmap.colour(0, -3, 3));
        assertEquals(new java.awt.Color(0x2166AC), Heatmap.colour(-3, -3, 3));
        assertEquals(new java.awt.Color(0xB2182B), Heatmap.colour(3, -3, 3));
        // halfway between the anchors 0xFFFFFF and 0xC6DBEF (t = 1/8 of the way up the 5-anchor map)
        java.awt.Color c = Heatmap.colour(1, 0, 8);
        assertEquals((0xFF + 0xC6) / 2.0, c.getRed(), 0.51);
        assertEquals((0xFF + 0xEF) / 2.0, c.getBlue(), 0.51);
        // colour-bar ticks are round values inside the range
        assertArrayEquals(new double[]{0, 2, 4, 6}, Heatmap.ticks(0, 7));
        assertArrayEquals(new double[]{-0.1, -0.05, 0, 0.05, 0.1}, Heatmap.ticks(-0.1, 0.1), 1e-12);
        // cell annotations
        assertEquals("1,234", Plots.cellText(1234));
        assertEquals("0.0123", Plots.cellText(0.0123));
        // one format for a whole matrix: the same decimals in every cell
        String[][] cells = Plots.cellTexts(new double[][]{{0.5, 0.0031}, {0.99, Double.NaN}});
        assertArrayEquals(new String[]{"0.500", "0.003"}, cells[0]);
        assertArrayEquals(new String[]{"0.990", ""}, cells[1]);
        assertEquals("", Plots.cellText(Double.NaN));
    }

    @Test
    void everyChartHasReadableTicksAndAPerAxisFormat() throws IOException {
        XYChart chart = Plots.curves("Loss by learning rate", "learning rate", "loss (nats)",
                Map.of("loss", new double[]{2.1, 1.9, 2.4}), new double[]{1e-4, 3e-4, 1e-3});
        var x = new java.text.DecimalFormat(chart.getStyler().getXAxisDecimalPattern(),
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
        assertEquals("0.0003", x.format(3e-4));
        assertEquals("0.3", x.format(0.1 + 0.2));
        assertEquals("1,500", x.format(1500));
        assertEquals("0.##E0", Plots.axisPattern(new double[]{1e-8, 5e-7}));
        assertEquals("0.##E0", Plots.axisPattern(new double[]{0, 2e9}));
        assertEquals("#,##0.########", Plots.axisPattern(new double[]{0, 1000}));
        // bars: value labels with three significant digits of the tallest bar
        assertEquals("#,##0.#", Plots.barPattern(new double[]{19.398656, 3}));
        assertEquals("#,##0", Plots.barPattern(new double[]{65.2097987, 120}));
        assertEquals("#,##0.####", Plots.barPattern(new double[]{0.0123456}));
        assertEquals("#,##0.#", Plots.bars("t", "x", "y (ms)", new String[]{"a", "b"},
                Map.of("s", new double[]{19.398656, 2}), true).getStyler().getYAxisDecimalPattern());
        // no default formatting function: with one, XChart ticks every distinct data value (a 2,000-point
        // learning-rate curve got dozens of overlapping labels); a pattern from the data instead
        assertEquals(null, chart.getStyler().getyAxisTickLabelsFormattingFunction());
        assertEquals("#,##0.########", chart.getStyler().getYAxisDecimalPattern());
        double[] steps = new double[2000], lrs = new double[2000];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
            lrs[i] = 3e-3 * Math.min(1.0, (i + 1) / 100.0) * (0.5 + 0.5 * Math.cos(Math.PI * i / 2000));
        }
        XYChart lr = Plots.curves("Learning rate by step", "step", "learning rate", Map.of("lr", lrs), steps);
        assertEquals(null, lr.getStyler().getyAxisTickLabelsFormattingFunction());
        var y = new java.text.DecimalFormat(lr.getStyler().getYAxisDecimalPattern(),
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
        assertEquals("0.0025", y.format(0.0025));
        // XChart would put a tick at every k-th data value (its equal-spacing test has an absolute 1e-4 threshold):
        // the hidden guard series, added first, makes the values look unequally spaced so ticks are round numbers
        var guard = lr.getSeriesMap().get(Plots.TICK_GUARD);
        assertTrue(guard != null && !guard.isEnabled() && !guard.isShowInLegend(), "the tick guard must be hidden");
        assertEquals(Plots.TICK_GUARD, lr.getSeriesMap().keySet().iterator().next(), "the guard must come first");
        assertEquals(lr.getStyler().getSeriesColors()[0], lr.getSeriesMap().get("lr").getLineColor(),
                "the visible series keeps the theme's first colour");
        decode(Png.of(lr));
        assertEquals("0.##E0", Plots.axisPattern(new double[]{1}, new double[]{3e9}));
        Plots.yTickFormat(chart, Format::percent);
        assertEquals("25.0%", chart.getStyler().getyAxisTickLabelsFormattingFunction().apply(0.25));
        Plots.xTickFormat(chart, Format::bytes);
        assertEquals("1.6 MB", chart.getStyler().getxAxisTickLabelsFormattingFunction().apply(1.6e6));
        XYChart hist = Plots.histogram("h", "v (units)", new double[]{0.1, 0.2, 0.3}, 3);
        assertEquals("#,##0.########", hist.getStyler().getXAxisDecimalPattern());
        var bars = Plots.bars("b", "method", "time (ms)", new String[]{"a", "b"}, Map.of("t", new double[]{1, 2}));
        assertEquals(null, bars.getStyler().getyAxisTickLabelsFormattingFunction());
        assertEquals("1,500", new java.text.DecimalFormat(bars.getStyler().getYAxisDecimalPattern(),
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(1500.0));
    }

    @Test
    void logAxesNeedPositiveValues() throws IOException {
        XYChart chart = Plots.logX(Plots.curves("Loss by learning rate", "learning rate", "loss (nats)",
                Map.of("loss", new double[]{2.1, 1.9, 2.4}), new double[]{1e-4, 3e-4, 1e-3}));
        assertTrue(chart.getStyler().isXAxisLogarithmic());
        assertTrue(chart.getStyler().isXAxisLogarithmicDecadeOnly(), "labels at decades only");
        assertEquals(Plots.LOG_GRID, chart.getStyler().getPlotGridLinesColor(), "light solid grid on a log chart");
        // XChart draws an axis linear whenever it has a formatting function, so a log axis must have none
        assertEquals(null, chart.getStyler().getxAxisTickLabelsFormattingFunction());
        assertEquals("1E-5", new java.text.DecimalFormat(Plots.LOG_PATTERN,
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(1e-5));
        decode(Png.of(chart));
        assertThrows(IllegalArgumentException.class, () -> Plots.xTickFormat(chart, Format::tick));
        Plots.logY(chart);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertTrue(chart.getStyler().isYAxisLogarithmicDecadeOnly(), "labels at decades only");
        assertEquals(null, chart.getStyler().getyAxisTickLabelsFormattingFunction());
        XYChart zero = Plots.curves("t", "step", "loss", Map.of("loss", new double[]{1, 0}), new double[]{0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.logX(zero));
        assertTrue(e.getMessage().contains("series 'loss' has x[0] = 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.logY(zero));
        assertTrue(e.getMessage().contains("y[1] = 0.0"), e.getMessage());
    }

    @Test
    void groupedBarsHaveOneValuePerCategoryAndSeries() throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("float32", new double[]{12.5, 3.1, 0.8});
        series.put("float64", new double[]{25.0, 6.4, 1.7});
        var chart = Plots.bars("Time per multiply", "method", "time (ms)", new String[]{"naive", "blocked", "BLAS"}, series, true);
        assertEquals(List.of("float32", "float64"), List.copyOf(chart.getSeriesMap().keySet()));
        assertTrue(chart.getStyler().isLabelsVisible());
        assertEquals("time (ms)", chart.getYAxisTitle());
        decode(Png.of(chart));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.bars("t", "m", "ms",
                new String[]{"a", "b"}, Map.of("s", new double[]{1})));
        assertTrue(e.getMessage().contains("series 's' has 1 values but there are 2 categories"), e.getMessage());
    }

    @Test
    void blankTitleOrAxisIsRefused() {
        double[] x = {0, 1};
        Map<String, double[]> s = Map.of("a", new double[]{1, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.curves(" ", "x", "y", s, x));
        assertTrue(e.getMessage().contains("title"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.curves("t", "", "y", s, x));
        assertTrue(e.getMessage().contains("x-axis label"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Plots.histogram(null, "x", x, 2));
        assertThrows(IllegalArgumentException.class, () -> Plots.imageGrid("", Nd4j.zeros(1, 4), 1, null));
        assertThrows(IllegalArgumentException.class, () -> Plots.timeline("t", " ", List.of(new Bar("a", 0, 1, "F0"))));
        e = assertThrows(IllegalArgumentException.class, () -> Plots.curves("t", "x", "y", Map.of("a", new double[]{1}), x));
        assertTrue(e.getMessage().contains("series 'a' has 1 values but x has 2"), e.getMessage());
    }

    @Test
    void imageGridHasTheExpectedSizeAndPixels() throws IOException {
        // two 4x4 images: one black, one white; 2 columns; scale = 84 / 4 = 21 -> 84 px cells
        var images = Nd4j.vstack(Nd4j.zeros(1, 16), Nd4j.ones(1, 16));
        BufferedImage grid = Plots.imageGrid("Two squares", images, 2, new String[]{"black", "white"});
        assertEquals(6 + 2 * (84 + 6), grid.getWidth());
        assertEquals(34 + (84 + 18 + 6) + 6, grid.getHeight());
        assertEquals(0x000000, grid.getRGB(6 + 10, 34 + 10) & 0xFFFFFF);
        assertEquals(0xFFFFFF, grid.getRGB(6 + 90 + 10, 34 + 10) & 0xFFFFFF);
        decode(Png.of(grid));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plots.imageGrid("t", Nd4j.zeros(2, 15), 2, null));
        assertTrue(e.getMessage().contains("not square"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.imageGrid("t", images, 2, new String[]{"one"}));
        assertTrue(e.getMessage().contains("1 captions for 2 images"), e.getMessage());
    }

    @Test
    void timelineDrawsLanesAndBars() throws IOException {
        List<Bar> bars = List.of(new Bar("stage 0", 0, 10, "F0"), new Bar("stage 0", 10, 20, "F1"),
                new Bar("stage 1", 10, 20, "F0"), new Bar("stage 1", 20, 40, "B0"));
        BufferedImage image = Plots.timeline("Pipeline", "time (ms)", bars);
        assertEquals(Timeline.WIDTH, image.getWidth());
        assertEquals(Timeline.height(2), image.getHeight());
        decode(Png.of(image));
        assertTrue(colours(image) > 5);
        assertEquals("F", Timeline.kind("F12"));
        assertEquals(5.0, Timeline.niceStep(4.2));
        assertEquals(0.2, Timeline.niceStep(0.13), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Bar("s", 5, 4, "x"));
    }

    @Test
    void saveWritesAWholePngAndNothingElse() throws IOException {
        Path png = dir.resolve("plots/loss.png");
        XYChart chart = Plots.curves("Loss", "step", "loss", Map.of("loss", new double[]{1, 0.5}), new double[]{0, 1});
        Plots.save(chart, png);
        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(Plots.WIDTH, read.getWidth());
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList());
        }
        BufferedImage grid = Plots.imageGrid("g", Nd4j.ones(1, 4), 1, null);
        Plots.save(grid, png);
        assertNotEquals(Plots.WIDTH, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void confusionMatrixCellsInOneFormat() {
        int[][] counts = {{997, 3}, {1, 1_233}};
        // row fractions: 997/1000 = 99.7%, 3/1000 = 0.3%, 1/1234 = 0.081% -> 0.1%, 1233/1234 = 99.92% -> 99.9%
        String[][] pct = Plots.confusionTexts(counts, true);
        assertArrayEquals(new String[]{"99.7%", "0.3%"}, pct[0]);
        assertArrayEquals(new String[]{"0.1%", "99.9%"}, pct[1]);
        String[][] n = Plots.confusionTexts(counts, false);
        assertArrayEquals(new String[]{"997", "3"}, n[0]);
        assertArrayEquals(new String[]{"1", "1,233"}, n[1]);
    }

    @Test
    void scatterDrawsOneMarkerGroupPerName() throws IOException {
        Map<String, double[][]> points = new java.util.LinkedHashMap<>();
        points.put("setosa", new double[][]{{5.1, 4.9}, {1.4, 1.4}});
        points.put("virginica", new double[][]{{6.3, 5.8, 7.1}, {6.0, 5.1, 5.9}});
        var chart = Plots.scatter("Iris", "petal length (cm)", "sepal length (cm)", points);
        assertEquals(java.util.List.of("setosa", "virginica"), new java.util.ArrayList<>(chart.getSeriesMap().keySet()));
        assertEquals(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter, chart.getStyler().getDefaultSeriesRenderStyle());
        assertArrayEquals(new double[]{6.0, 5.1, 5.9}, chart.getSeriesMap().get("virginica").getYData());
        assertTrue(javax.imageio.ImageIO.read(new ByteArrayInputStream(Png.of(chart))).getWidth() == Plots.WIDTH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.scatter("t", "x", "y",
                Map.of("bad", new double[][]{{1, 2}, {1}})));
        assertTrue(e.getMessage().contains("lengths 2 and 1"), e.getMessage());
    }

    @Test
    void curvesWithErrorsCarryTheErrorBars() throws IOException {
        double[] x = {1, 2, 3};
        var chart = Plots.curvesWithErrors("Test error", "epoch", "test error (%)", Map.of("sgd", new double[]{5, 4, 3}),
                Map.of("sgd", new double[]{0.5, 0.4, 0.3}), x, true);
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, chart.getSeriesMap().get("sgd").getExtraValues());
        assertEquals(0.0, chart.getStyler().getYAxisMin());
        assertTrue(Png.of(chart).length > 0);
        assertThrows(IllegalArgumentException.class, () -> Plots.curvesWithErrors("t", "x", "y",
                Map.of("sgd", new double[]{5, 4, 3}), Map.of("sgd", new double[]{0.5, -1, 0.3}), x, false));
        assertThrows(IllegalArgumentException.class, () -> Plots.curvesWithErrors("t", "x", "y",
                Map.of("sgd", new double[]{5, 4, 3}), Map.of("adam", new double[]{0.5, 1, 0.3}), x, false));
    }

    @Test
    void stackedBarsStack() {
        Map<String, double[]> parts = new java.util.LinkedHashMap<>();
        parts.put("compute", new double[]{3, 1});
        parts.put("memory", new double[]{2, 4});
        assertTrue(Plots.bars("Time", "method", "time (ms)", new String[]{"a", "b"}, parts, true, true).getStyler().isStacked());
        assertTrue(!Plots.bars("Time", "method", "time (ms)", new String[]{"a", "b"}, parts, true).getStyler().isStacked());
    }
}
