package org.bigmodels.display;

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
        var chart = Plots.heatmap("Confusion", "predicted class", "true class", m,
                new String[]{"a", "b", "c"}, new String[]{"a", "b"});
        BufferedImage image = decode(Png.of(chart));
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(0.0, chart.getStyler().getMin());
        assertEquals(7.0, chart.getStyler().getMax());
        var fine = Plots.heatmap("t", "x", "y", new double[][]{{0.0123, 0.547285}}, new String[]{"a", "b"}, new String[]{"r"});
        assertEquals(0.012, fine.getStyler().getMin(), 1e-12);
        assertEquals(0.55, fine.getStyler().getMax(), 1e-12);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.heatmap("C", "x", "y", m,
                new String[]{"a", "b"}, new String[]{"a", "b"}));
        assertTrue(e.getMessage().contains("3 columns need 3 xTicks, got 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.heatmap("C", "x", "y",
                new double[][]{{1, 2}, {3}}, new String[]{"a", "b"}, new String[]{"a", "b"}));
        assertTrue(e.getMessage().contains("row 1 has 1 values but row 0 has 2"), e.getMessage());
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
}
