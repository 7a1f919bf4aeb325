package org.bigmodels.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    // rows = true class, columns = predicted class
    private static final int[][] COUNTS = {
            {90, 6, 4},
            {0, 50, 0},
            {1, 1, 8}};

    @Test
    void rowFractionsDivideEachRowByItsTotal() {
        double[][] f = ConfusionMatrix.rowFractions(COUNTS);
        // by hand: row totals 100, 50, 10
        assertArrayEquals(new double[]{0.90, 0.06, 0.04}, f[0], 1e-15);
        assertArrayEquals(new double[]{0.0, 1.0, 0.0}, f[1], 1e-15);
        assertArrayEquals(new double[]{0.1, 0.1, 0.8}, f[2], 1e-15);
        // a class with no images stays at 0 instead of becoming NaN
        double[][] empty = ConfusionMatrix.rowFractions(new int[][]{{0, 0}, {3, 1}});
        assertArrayEquals(new double[]{0, 0}, empty[0]);
        assertArrayEquals(new double[]{0.75, 0.25}, empty[1], 1e-15);
    }

    @Test
    void maskingTheDiagonalLeavesTheErrorsToSetTheScale() {
        double[][] masked = ConfusionMatrix.maskDiagonal(ConfusionMatrix.asDoubles(COUNTS));
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isNaN(masked[i][i]), "diagonal " + i + " masked");
        }
        assertEquals(6, masked[0][1]);
        assertEquals(1, masked[2][0]);
        // the colour scale ends at the largest error (6), not at the largest correct count (90)
        assertArrayEquals(new double[]{0, 6}, Heatmap.range(masked));
        // of row fractions: the largest error is 0.1 (true 2 -> predicted 0 or 1)
        assertArrayEquals(new double[]{0, 0.1},
                Heatmap.range(ConfusionMatrix.maskDiagonal(ConfusionMatrix.rowFractions(COUNTS))), 1e-15);
        // the input is not changed
        double[][] in = {{1, 2}, {3, 4}};
        ConfusionMatrix.maskDiagonal(in);
        assertEquals(1, in[0][0]);
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.rowFractions(new int[][]{{1, 2}}));
        assertTrue(e.getMessage().contains("square; row 0 has 2 counts for 1 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.rowFractions(new int[][]{{1, -2}, {0, 1}}));
        assertTrue(e.getMessage().contains("got -2 at [0][1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Plots.confusionMatrix("t", COUNTS, new String[]{"a", "b"}));
        assertTrue(e.getMessage().contains("3 classes need 3 class names, got 2"), e.getMessage());
    }

    @Test
    void theMaskedDiagonalIsGreyAndTheLargestErrorDarkest() {
        BufferedImage img = Plots.confusionMatrix("Errors", COUNTS, new String[]{"a", "b", "c"}, false, true);
        assertTrue(img.getWidth() > 200 && img.getHeight() > 200);
        // the colours as the plot computes them: masked grey, the largest error (6) the darkest blue, 0 white
        assertEquals(Heatmap.MASKED, Heatmap.colour(Double.NaN, 0, 6));
        assertEquals(Heatmap.SEQUENTIAL[Heatmap.SEQUENTIAL.length - 1], Heatmap.colour(6, 0, 6));
        assertEquals(Heatmap.SEQUENTIAL[0], Heatmap.colour(0, 0, 6));
        int masked = 0;
        int darkest = 0;
        int darkRgb = Heatmap.SEQUENTIAL[Heatmap.SEQUENTIAL.length - 1].getRGB();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                masked += rgb == Heatmap.MASKED.getRGB() ? 1 : 0;
                darkest += rgb == darkRgb ? 1 : 0;
            }
        }
        assertTrue(masked > 3 * 400, "three grey diagonal cells, got " + masked + " grey pixels");
        assertTrue(darkest > 400, "one dark cell (the 6 errors) and the bar's top, got " + darkest + " pixels");
    }
}
