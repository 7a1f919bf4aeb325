package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RandomTranslationTest {
    /** Reference: the image as a 2-D ND4J array, its content copied by sub-array views (no index arithmetic shared). */
    static float[] shiftedByViews(float[] img, int side, int dx, int dy) {
        INDArray src = Nd4j.createFromArray(img).reshape(side, side);
        INDArray dst = Nd4j.zeros(DataType.FLOAT, side, side);
        int r0 = Math.max(0, dy), r1 = Math.min(side, side + dy), c0 = Math.max(0, dx), c1 = Math.min(side, side + dx);
        dst.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r0, r1), org.nd4j.linalg.indexing.NDArrayIndex.interval(c0, c1))
                .assign(src.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r0 - dy, r1 - dy),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(c0 - dx, c1 - dx)));
        return dst.dup('c').data().asFloat();
    }

    @Test
    void shiftMovesRightAndDownAndFillsWithZeros() {
        int side = 7;
        float[] img = new float[side * side];
        Random rng = new Random(1);
        for (int i = 0; i < img.length; i++) img[i] = 1 + rng.nextFloat();
        for (int dx = -3; dx <= 3; dx++) {
            for (int dy = -3; dy <= 3; dy++) {
                float[] out = new float[img.length];
                RandomTranslation.shift(img, 0, out, 0, side, dx, dy);
                assertArrayEquals(shiftedByViews(img, side, dx, dy), out, "shift by (dx=" + dx + ", dy=" + dy + ")");
            }
        }
        float[] out = new float[img.length];
        RandomTranslation.shift(img, 0, out, 0, side, 1, 0);
        assertEquals(img[0], out[1], "dx = +1 must move pixel (0,0) to (0,1): right, not left");
        RandomTranslation.shift(img, 0, out, 0, side, 0, 1);
        assertEquals(img[0], out[side], "dy = +1 must move pixel (0,0) to (1,0): down");
    }

    @Test
    void batchesAreShiftedCopiesOfTheirRowsWithTheirLabelsCoverEveryShiftAndRepeat() {
        int n = 50, side = 8, max = 2;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, side * side).addi(0.5f);
        INDArray y = Nd4j.createFromArray(java.util.stream.IntStream.range(0, n).toArray());
        float[] all = x.data().asFloat();
        RandomTranslation source = new RandomTranslation(x, y, max, 16, 7);
        assertEquals(4, source.stepsPerEpoch());
        Set<String> shifts = new HashSet<>();
        Set<Integer> seen = new HashSet<>();
        for (int step = 0; step < 8; step++) {
            Batch b = source.apply(step);
            assertEquals(step % 4 == 3 ? 2 : 16, b.size(), "the last batch of an epoch holds the remainder");
            float[] xb = b.x().dup('c').data().asFloat();
            int[] yb = b.y().toIntVector();
            for (int r = 0; r < yb.length; r++) {
                if (step < 4) seen.add(yb[r]);
                float[] own = java.util.Arrays.copyOfRange(all, yb[r] * side * side, (yb[r] + 1) * side * side);
                float[] got = java.util.Arrays.copyOfRange(xb, r * side * side, (r + 1) * side * side);
                String found = null;
                for (int dx = -max; dx <= max && found == null; dx++) {
                    for (int dy = -max; dy <= max && found == null; dy++) {
                        if (java.util.Arrays.equals(shiftedByViews(own, side, dx, dy), got)) found = dx + "," + dy;
                    }
                }
                assertTrue(found != null, "row " + r + " of step " + step + " is not its label's image shifted by at most "
                        + max + " px: images and labels were permuted differently, or the shift exceeds the bound");
                shifts.add(found);
            }
        }
        assertEquals(n, seen.size(), "one epoch must visit every example once");
        assertEquals(25, shifts.size(), "every shift in [-2, 2]^2 should occur over 100 draws, got " + shifts);
        float[] again = new RandomTranslation(x, y, max, 16, 7).apply(5).x().dup().data().asFloat();
        assertArrayEquals(source.apply(5).x().dup().data().asFloat(), again, "the same (seed, step) must give the same batch");
        assertTrue(!java.util.Arrays.equals(source.apply(1).x().dup().data().asFloat(), source.apply(5).x().dup().data().asFloat()),
                "different steps must give different batches");
    }

    @Test
    void badArgumentsAreRefused() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 10), y = Nd4j.zeros(DataType.INT32, 4);
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslation(x, y, 1, 2, 0), "10 columns are not a square image");
        INDArray sq = Nd4j.rand(DataType.FLOAT, 4, 9);
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslation(sq, y, 3, 2, 0), "a shift of a whole side");
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslation(sq, y, -1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslation(sq, y, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslation(sq, Nd4j.zeros(DataType.INT32, 3), 1, 2, 0));
    }
}
