package org.bigmodels.exercises.lesson06;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.bigmodels.compression.CompressedGradient;
import org.bigmodels.compression.GradientCompressor;
import org.bigmodels.compression.TopKCompressor;
import org.bigmodels.grading.Graded;

/**
 * Graded tests for exercise 06.3. References: the k largest magnitudes found by sorting in the test, the
 * error-feedback identity sent + new residual == gradient + old residual checked element by element in float, the
 * wire format 8 bytes per sent element, and the library's {@link TopKCompressor} over many steps.
 */
class TopKSparsifierTest {

    static float[] randn(Random r, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) r.nextGaussian();
        return g;
    }

    @Graded(id = "06.3", points = 2, title = "exactly the k largest magnitudes of g + residual are sent, exactly")
    void sendsTheKLargest() {
        Random r = new Random(1);
        GradientCompressor c = new TopKSparsifier(5);
        assertEquals(0, c.residual().length, "residual() is an empty array before the first call");
        float[] residual = new float[40];
        for (int step = 0; step < 6; step++) {
            float[] g = randn(r, 40);
            float[] v = new float[40];
            for (int i = 0; i < 40; i++) v[i] = g[i] + residual[i];
            Integer[] order = new Integer[40];
            for (int i = 0; i < 40; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Float.compare(Math.abs(v[b]), Math.abs(v[a])));
            CompressedGradient sent = c.compress(g);
            assertNotNull(sent, "compress returned null");
            assertEquals(40, sent.length(), "the compressed gradient stands for the whole tensor");
            float[] dense = sent.decode();
            int nonzero = 0;
            for (float x : dense) if (x != 0f) nonzero++;
            assertEquals(5, nonzero, "step " + step + ": exactly k = 5 elements must be sent");
            for (int j = 0; j < 5; j++) {
                int i = order[j];
                assertEquals(v[i], dense[i], "step " + step + ": element " + i + " has the " + (j + 1)
                        + "-th largest |g + residual| and must be sent with its exact value (largest MAGNITUDE, "
                        + "not the largest signed value; of g + residual, not of g alone)");
            }
            residual = c.residual();
        }
    }

    @Graded(id = "06.3", points = 2, title = "sent + new residual == gradient + old residual, exactly, every step")
    void errorFeedbackIdentity() {
        Random r = new Random(2);
        GradientCompressor c = new TopKSparsifier(3);
        float[] old = new float[17];
        for (int step = 0; step < 25; step++) {
            float[] g = randn(r, 17);
            float[] gCopy = g.clone();
            float[] sent = c.compress(g).decode();
            assertArrayEquals(gCopy, g, "compress must not modify the caller's gradient");
            float[] now = c.residual();
            assertEquals(17, now.length, "the residual has the gradient's length");
            for (int i = 0; i < 17; i++) {
                float want = g[i] + old[i];
                if (sent[i] + now[i] != want) {
                    fail("step " + step + ", element " + i + ": sent " + sent[i] + " + residual " + now[i] + " != "
                            + "gradient " + g[i] + " + old residual " + old[i] + " = " + want + ". The new residual is "
                            + "what was NOT sent of g + old residual (zero where an element was sent)");
                }
            }
            old = now;
        }
        c.reset();
        assertEquals(0, c.residual().length, "reset() forgets the residual");
    }

    @Graded(id = "06.3", points = 2, title = "small gradients are delayed, not lost (error feedback)")
    void residualIsFedBack() {
        GradientCompressor c = new TopKSparsifier(1);
        float[] g = {1f, 0.4f, 0.1f};
        float sentToElement1 = 0;
        for (int step = 0; step < 3; step++) sentToElement1 += c.compress(g).decode()[1];
        if (sentToElement1 == 0f) {
            fail("after 3 steps of g = [1, 0.4, 0.1] with k = 1, element 1 was never sent: its 0.4s must pile up in the"
                    + " residual (0.4, 0.8, 1.2 > 1) until they win the top-1. Did you forget to add the residual to the"
                    + " gradient (error feedback) or to keep what was not sent?");
        }
        assertEquals(1.2f, sentToElement1, 1e-6f, "at step 3 the residual 0.8 plus 0.4 is sent as one value");
        // against the library over many steps: the same choices (ties to the lower index), the same residual
        Random r = new Random(3);
        GradientCompressor mine = new TopKSparsifier(4);
        GradientCompressor lib = new TopKCompressor(4);
        for (int step = 0; step < 30; step++) {
            float[] grad = randn(r, 50);
            assertArrayEquals(lib.compress(grad).decode(), mine.compress(grad).decode(), "step " + step
                    + ": differs from org.bigmodels.compression.TopKCompressor");
            assertArrayEquals(lib.residual(), mine.residual(), "step " + step + ": residual differs from the library's");
        }
    }

    @Graded(id = "06.3", points = 1, title = "wireBytes = 8 bytes per sent element (4-byte index + 4-byte value)")
    void wireBytes() {
        for (int k : new int[] {1, 7, 64}) {
            CompressedGradient c = new TopKSparsifier(k).compress(randn(new Random(k), 64));
            assertEquals(8L * k, c.wireBytes(), "k = " + k + ": a sparse gradient sends a 4-byte index and a 4-byte "
                    + "float per element, 8k bytes (the dense one costs 4 · length)");
        }
    }

    @Graded(id = "06.3", points = 1, title = "bad input gets a clear IllegalArgumentException")
    void badInput() {
        DirichletSharderTest.expectMessage(() -> new TopKSparsifier(0), "0", "k = 0");
        DirichletSharderTest.expectMessage(() -> new TopKSparsifier(5).compress(new float[3]), "5", "k > length");
        DirichletSharderTest.expectMessage(() -> new TopKSparsifier(1).compress(null), null, "a null gradient");
        DirichletSharderTest.expectMessage(() -> new TopKSparsifier(1).compress(new float[0]), null, "an empty one");
        DirichletSharderTest.expectMessage(() -> new TopKSparsifier(1).compress(new float[] {1f, Float.NaN}), "1",
                "a NaN element");
        GradientCompressor c = new TopKSparsifier(1);
        c.compress(new float[4]);
        DirichletSharderTest.expectMessage(() -> c.compress(new float[5]), "4", "a length change");
        assertTrue(true);
    }
}
