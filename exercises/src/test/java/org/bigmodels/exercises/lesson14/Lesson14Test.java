package org.bigmodels.exercises.lesson14;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Random;
import org.bigmodels.grading.Graded;
import org.junit.jupiter.api.Assertions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercises 14.1-14.3. References are closed forms written here: S = (max(hi,0) - min(lo,0)) /
 * (2^b - 1) and Z = round(-min(lo,0) / S); per-column max|w| / (2^(b-1) - 1) by plain loops; requantization in exact
 * decimal arithmetic (BigDecimal), floor(acc M0 / 2^n + 1/2).
 */
class Lesson14Test {

    @Graded(id = "14.1", points = 3, title = "scale and zero point: 0 exactly representable, the whole grid used")
    void scaleAndZeroPoint() {
        double[][] cases = {{-1, 3, 8}, {0.5, 2, 8}, {-4, -1, 8}, {-1, 1, 4}, {-0.3, 7.1, 2}};
        for (double[] c : cases) {
            int bits = (int) c[2];
            double lo = Math.min(c[0], 0), hi = Math.max(c[1], 0);
            double s = (hi - lo) / ((1 << bits) - 1);
            long z = Math.max(0, Math.min((1 << bits) - 1, Math.round(-lo / s)));
            double[] got = StudentAffineQuantization.scaleAndZeroPoint(c[0], c[1], bits);
            if (c[0] > 0 && Math.abs(got[0] - (c[1] - c[0]) / ((1 << bits) - 1)) < 1e-12) {
                fail("for [" + c[0] + ", " + c[1] + "] you mapped the range without widening it to include 0: the real "
                        + "0 (zero padding, ReLU outputs) would not be representable");
            }
            if (Math.abs(got[0] - (hi - lo) / (1 << bits)) < 1e-12) {
                fail("the scale divides by 2^b; there are 2^b - 1 steps between 0 and 2^b - 1");
            }
            assertEquals(s, got[0], 1e-12, "scale for [" + c[0] + ", " + c[1] + "] at " + bits + " bits");
            if (z != 0 && got[1] == -z) fail("the zero point has the wrong sign: Z is the integer that 0.0 maps to, -lo / S");
            assertEquals(z, got[1], 0, "zero point for [" + c[0] + ", " + c[1] + "] at " + bits + " bits");
            assertEquals(0.0, StudentAffineQuantization.dequantize(
                    StudentAffineQuantization.quantize(0.0, got[0], (int) got[1], bits), got[0], (int) got[1]), 1e-12,
                    "0.0 must come back exactly");
        }
    }

    @Graded(id = "14.1", points = 3, title = "quantize rounds to nearest and clamps; dequantize inverts")
    void quantizeDequantize() {
        double s = 0.1;
        int z = 10, bits = 4;
        assertEquals(13, StudentAffineQuantization.quantize(0.27, s, z, bits),
                "0.27 / 0.1 = 2.7 rounds to 3 (a cast truncates to 2): expected 10 + 3");
        assertEquals(8, StudentAffineQuantization.quantize(-0.18, s, z, bits), "-1.8 rounds to -2, not -1");
        assertEquals(15, StudentAffineQuantization.quantize(5.0, s, z, bits),
                "values above the range must saturate at 2^b - 1 (no wrap-around, no clamp missing)");
        assertEquals(0, StudentAffineQuantization.quantize(-5.0, s, z, bits), "values below the range saturate at 0");
        assertEquals(0.3, StudentAffineQuantization.dequantize(13, s, z), 1e-12, "dequantize: S (q - Z)");
        Random rng = new Random(1);
        for (int t = 0; t < 1000; t++) {
            double x = rng.nextDouble() * 1.5 - 1.0; // inside [S(0 - Z), S(15 - Z)] = [-1, 0.5]
            double back = StudentAffineQuantization.dequantize(StudentAffineQuantization.quantize(x, s, z, bits), s, z);
            assertTrue(Math.abs(back - x) <= s / 2 + 1e-12, "round trip of " + x + " gave " + back
                    + ": inside the range the error must be at most S/2");
        }
    }

    static INDArray weight() {
        Random rng = new Random(3);
        double[][] w = new double[9][5];
        for (int i = 0; i < 9; i++) for (int j = 0; j < 5; j++) w[i][j] = rng.nextGaussian() * Math.pow(4, j - 2);
        w[4][3] = -40; // the largest magnitude of column 3 is negative
        return Nd4j.create(w).castTo(DataType.FLOAT);
    }

    @Graded(id = "14.2", points = 3, title = "one scale per output channel (column of [in, out]): max|w| / (2^(b-1) - 1)")
    void perChannelScales() {
        INDArray w = weight();
        double[][] m = w.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int bits : new int[] {8, 4}) {
            double[] got = StudentPerChannelScales.scales(w, bits);
            if (got.length == 9) fail("you computed one scale per ROW (input feature); output channels are the columns of W [in, out]");
            assertEquals(5, got.length, "one scale per output channel");
            for (int j = 0; j < 5; j++) {
                double amax = 0, max = Double.NEGATIVE_INFINITY;
                for (double[] row : m) {
                    amax = Math.max(amax, Math.abs(row[j]));
                    max = Math.max(max, row[j]);
                }
                int qmax = (1 << (bits - 1)) - 1;
                if (j == 3 && Math.abs(got[j] - max / qmax) < 1e-6 * amax) {
                    fail("column 3's largest magnitude is a negative weight (-40): use max |w|, not max w");
                }
                if (Math.abs(got[j] - amax / (qmax + 1)) < 1e-9 * amax) {
                    fail("the scale divides by 2^(b-1); the symmetric range ends at 2^(b-1) - 1 (so +max|w| does not overflow)");
                }
                assertEquals(amax / qmax, got[j], 1e-6 * amax, "column " + j + " at " + bits + " bits");
            }
        }
    }

    @Graded(id = "14.2", points = 2, title = "fake quantization uses each element's column scale; error <= scale/2")
    void perChannelFakeQuantize() {
        INDArray w = weight();
        double[][] m = w.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[] s = new double[5];
        for (int j = 0; j < 5; j++) for (double[] row : m) s[j] = Math.max(s[j], Math.abs(row[j]) / 7);
        INDArray fq = StudentPerChannelScales.fakeQuantize(w, s, 4);
        assertArrayEquals(w.shape(), fq.shape(), "same shape as w");
        double[][] q = fq.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 5; j++) {
                double expect = Math.max(-8, Math.min(7, Math.round(m[i][j] / s[j]))) * s[j];
                if (Math.abs(q[i][j] - expect) > 1e-6 * s[j]) {
                    Assertions.fail("w[" + i + "][" + j + "] = " + m[i][j] + " became " + q[i][j] + ", expected " + expect
                            + (Math.abs(q[i][j] - Math.round(m[i][j] / s[i % 5]) * s[i % 5]) < 1e-9 ? ": you used the ROW's scale" : "")
                            + " (round to nearest with the column's scale, then multiply back)");
                }
            }
        }
        assertTrue(w.sub(fq).amaxNumber().doubleValue() > 0, "fake quantization must change some weights");
    }

    static long reference(int acc, long m0, int n, int zp) {
        BigDecimal v = new BigDecimal(acc).multiply(new BigDecimal(m0))
                .divide(new BigDecimal(BigInteger.ONE.shiftLeft(n))).add(new BigDecimal("0.5"));
        long r = v.setScale(0, RoundingMode.FLOOR).longValueExact() + zp;
        return Math.max(0, Math.min(255, r));
    }

    @Graded(id = "14.3", points = 3, title = "decompose M into M0 * 2^-n, M0 in [2^30, 2^31)")
    void decompose() {
        Random rng = new Random(11);
        double[] ms = new double[300];
        for (int i = 0; i < ms.length; i++) ms[i] = Math.exp(-12 * rng.nextDouble());
        ms[0] = 0.5;
        ms[1] = 0.25;
        ms[2] = 1 - 1e-12; // rounds up to 2^31
        for (double m : ms) {
            long[] got = StudentRequantization.decompose(m);
            assertTrue(got[0] >= (1L << 30) && got[0] < (1L << 31), "M0 = " + got[0] + " for M = " + m
                    + " is not normalized to [2^30, 2^31): you lose precision (or overflow 31 bits when it rounds to 2^31)");
            double back = got[0] * Math.pow(2, -got[1]);
            assertEquals(m, back, m * Math.pow(2, -30), "M0 * 2^-n must equal M to about 31 bits (M = " + m + ")");
        }
    }

    @Graded(id = "14.3", points = 4, title = "requantize: 64-bit product, rounding shift, zero point, clamp to uint8")
    void requantize() {
        Random rng = new Random(12);
        for (int t = 0; t < 5000; t++) {
            double m = Math.exp(-3 - 9 * rng.nextDouble());
            int n = 31 - (Math.getExponent(m) + 1);
            long m0 = Math.round(m / Math.pow(2, -n));
            if (m0 >= (1L << 31)) continue;
            int acc = t < 100 ? (int) Math.round((rng.nextInt(40) + 0.5) / m0 * Math.pow(2, n)) : rng.nextInt(4_000_000) - 2_000_000;
            int zp = rng.nextInt(20);
            long ref = reference(acc, m0, n, zp);
            int got = StudentRequantization.requantize(acc, m0, n, zp);
            if (got != ref) {
                long floor = Math.max(0, Math.min(255, zp + Math.floorDiv((long) acc * m0, 1L << n)));
                long overflowed = Math.max(0, Math.min(255, zp + ((acc * (int) m0) >> n)));
                String why = got == floor ? "a plain right shift floors: add 2^(n-1) before shifting to round"
                        : got == overflowed ? "acc * M0 overflowed int: multiply in long"
                        : got == Math.max(0, Math.min(255, ref - zp)) ? "the zero point is missing" : "wrong value";
                fail("requantize(" + acc + ", " + m0 + ", " + n + ", " + zp + ") = " + got + ", expected " + ref + ": " + why);
            }
        }
        assertEquals(255, StudentRequantization.requantize(Integer.MAX_VALUE, 1L << 30, 1, 0), "saturate at 255");
        assertEquals(0, StudentRequantization.requantize(-100000, 1L << 30, 31, 3), "saturate at 0");
    }
}
