package org.bigmodels.compression;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Gradient compression against independent references: conservation of the gradient under error feedback (checked
 * in double, exactly, with values that floats represent exactly), top-k against a sort of the magnitudes, the
 * quantizers' round-trip error against their closed-form bounds, bytes on the wire against the formats' formulas.
 */
class GradientCompressionTest {

    /** Multiples of 1/64 in [-4, 4]: every sum of a few hundred of them is exact in float. */
    static float[] dyadic(Random rng, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (rng.nextInt(513) - 256) / 64f;
        return g;
    }

    static void assertConserves(Supplier<GradientCompressor> make, double tolerance) {
        Random rng = new Random(7);
        int n = 37, steps = 25;
        GradientCompressor c = make.get();
        double[] computed = new double[n], applied = new double[n];
        long bytes = 0;
        for (int t = 0; t < steps; t++) {
            float[] g = dyadic(rng, n);
            float[] before = g.clone();
            CompressedGradient sent = c.compress(g);
            assertArrayEquals(before, g, c + " modified its input gradient");
            assertEquals(n, sent.length());
            float[] d = sent.decode();
            for (int i = 0; i < n; i++) {
                computed[i] += g[i];
                applied[i] += d[i];
            }
            bytes += sent.wireBytes();
        }
        float[] r = c.residual();
        for (int i = 0; i < n; i++) {
            assertEquals(computed[i], applied[i] + r[i], tolerance, c + ": element " + i
                    + ": sum applied + residual must equal sum of gradients (a gradient was lost or sent twice)");
        }
        assertTrue(bytes > 0);
    }

    @Test
    void sparsifiersConserveTheGradientExactly() {
        assertConserves(NoCompression::new, 0);
        assertConserves(() -> new TopKCompressor(1), 0);
        assertConserves(() -> new TopKCompressor(5), 0);
        assertConserves(() -> new TopKCompressor(37), 0);
        assertConserves(() -> new ThresholdCompressor(0.25f), 0);
        assertConserves(() -> new ThresholdCompressor(3f), 0);
    }

    @Test
    void quantizersConserveTheGradientUpToFloatRounding() {
        // Residuals of quantizers are not dyadic, so each step's g + r and v - decode may round: 25 steps, |v| < 50.
        assertConserves(() -> new EightBitCompressor(8), 1e-4);
        assertConserves(() -> new EightBitCompressor(1000), 1e-4);
        assertConserves(OneBitCompressor::new, 1e-4);
    }

    @Test
    void topKSendsExactlyTheKLargestMagnitudesAndKeepsTheRest() {
        Random rng = new Random(11);
        int n = 200, k = 17;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) rng.nextGaussian();
        SparseGradient s = (SparseGradient) new TopKCompressor(k).compress(g);
        // Reference: indices sorted by |g| descending, the first k, as a set.
        int[] expected = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs((double) g[i]))).limit(k)
                .mapToInt(Integer::intValue).sorted().toArray();
        assertArrayEquals(expected, s.indices(), "top-k must send exactly the k largest |g|");
        assertEquals(k, s.size());
        assertEquals(8L * k, s.wireBytes(), "top-k wire format: 4-byte index + 4-byte value per entry");
        float[] sentValues = s.values();
        for (int j = 0; j < k; j++) assertEquals(g[expected[j]], sentValues[j], 0f, "top-k sends exact values");
        TopKCompressor c = new TopKCompressor(k);
        c.compress(g);
        float[] r = c.residual();
        for (int i = 0; i < n; i++) {
            boolean sent = Arrays.binarySearch(expected, i) >= 0;
            assertEquals(sent ? 0f : g[i], r[i], 0f, "residual at " + i + " (sent=" + sent + ")");
        }
    }

    @Test
    void topKBreaksTiesByLowerIndexAndUsesTheResidualNextStep() {
        TopKCompressor c = new TopKCompressor(2);
        SparseGradient first = (SparseGradient) c.compress(new float[] {0.5f, -1f, 1f, 1f});
        assertArrayEquals(new int[] {1, 2}, first.indices(), "ties at |1| go to the lower indices");
        // Residual [0.5, 0, 0, 1] + gradient [0.25, 0, 0, 0] = [0.75, 0, 0, 1]: index 3 and index 0 go now.
        SparseGradient second = (SparseGradient) c.compress(new float[] {0.25f, 0, 0, 0});
        assertArrayEquals(new int[] {0, 3}, second.indices());
        assertArrayEquals(new float[] {0.75f, 1f}, second.values(), 0f);
        assertArrayEquals(new float[4], c.residual(), 0f);
    }

    @Test
    void thresholdSendsPlusMinusTauAndDrainsALargeElementOverSteps() {
        ThresholdCompressor c = new ThresholdCompressor(0.25f);
        SparseGradient s = (SparseGradient) c.compress(new float[] {1f, -0.5f, 0.125f, -0.25f});
        assertArrayEquals(new int[] {0, 1, 3}, s.indices());
        assertArrayEquals(new float[] {0.25f, -0.25f, -0.25f}, s.values(), 0f);
        assertEquals(4L * 3 + 4, s.wireBytes(), "threshold wire format: signed 4-byte index per entry + tau");
        assertArrayEquals(new float[] {0.75f, -0.25f, 0.125f, 0f}, c.residual(), 0f);
        float total = 0.25f;
        for (int t = 0; t < 3; t++) total += c.compress(new float[4]).decode()[0];
        assertEquals(1f, total, 0f, "a large element drains tau per step until fully sent");
        assertArrayEquals(new float[] {0f, 0f, 0.125f, 0f}, c.residual(), 0f);
    }

    @Test
    void eightBitRoundTripIsWithinHalfAScalePerElement() {
        Random rng = new Random(3);
        int n = 1000, bucket = 64;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) (rng.nextGaussian() * Math.exp(rng.nextGaussian()));
        Arrays.fill(g, 128, 192, 0f); // an all-zero bucket decodes to exact zeros
        QuantizedGradient q = (QuantizedGradient) new EightBitCompressor(bucket).compress(g);
        float[] d = q.decode();
        float[] scales = q.scales();
        assertEquals(16, scales.length);
        assertEquals(n + 4L * 16, q.wireBytes(), "8-bit wire format: 1 byte per element + 4 per bucket");
        for (int i = 0; i < n; i++) {
            int b = i / bucket;
            double max = 0;
            for (int j = b * bucket; j < Math.min(n, (b + 1) * bucket); j++) max = Math.max(max, Math.abs(g[j]));
            assertEquals(max / 127, scales[b], 1e-6 * max, "scale of bucket " + b + " is max|v|/127");
            assertEquals(g[i], d[i], scales[b] / 2 * (1 + 1e-5) + 1e-30, "element " + i + " off by more than scale/2");
        }
    }

    @Test
    void oneBitErrorEqualsTheClosedFormOfTheBestSignEncoding() {
        Random rng = new Random(5);
        int n = 333;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) rng.nextGaussian();
        SignGradient s = (SignGradient) new OneBitCompressor().compress(g);
        float[] d = s.decode();
        double l1 = 0, l2 = 0, err = 0;
        for (int i = 0; i < n; i++) {
            l1 += Math.abs(g[i]);
            l2 += (double) g[i] * g[i];
            err += (d[i] - (double) g[i]) * (d[i] - (double) g[i]);
            assertEquals(g[i] >= 0, d[i] > 0, "sign of element " + i);
        }
        assertEquals(l1 / n, s.scale(), 1e-6, "scale is mean |v|");
        assertEquals(l2 - l1 * l1 / n, err, 1e-4 * l2, "squared error of sign·mean|v| is ||v||² - ||v||₁²/n");
        assertTrue(err < l2, "1-bit with the optimal scale always loses less than sending nothing");
        assertEquals((n + 7) / 8 + 4, s.wireBytes(), "1-bit wire format: 1 bit per element + a 4-byte scale");
    }

    @Test
    void badInputGetsAClearError() {
        List<Runnable> bad = List.of(
                () -> new TopKCompressor(0),
                () -> new TopKCompressor(-3),
                () -> new TopKCompressor(5).compress(new float[4]),
                () -> new ThresholdCompressor(-0.1f),
                () -> new ThresholdCompressor(0f),
                () -> new ThresholdCompressor(Float.NaN),
                () -> new EightBitCompressor(0),
                () -> new OneBitCompressor().compress(new float[0]),
                () -> new OneBitCompressor().compress(null),
                () -> new TopKCompressor(1).compress(new float[] {1, Float.NaN}));
        for (Runnable r : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().matches(".*(got|exceeds|not finite).*"), "message says what was got: " + e);
        }
        GradientCompressor c = new TopKCompressor(1);
        c.compress(new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.compress(new float[4]));
        assertTrue(e.getMessage().contains("one compressor per tensor"), e.getMessage());
    }
}
