package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.bigmodels.engine.ShapeException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The quantization core against closed forms computed here in double: the round-trip bound |x - fq(x)| <= S/2 inside
 * the representable range and clipping to its ends outside, per-channel scales equal to each output column's own
 * max|w| / qmax, per-group scales per block, the observers' ranges against sorted data, the fixed-point multiplier
 * against exact rational arithmetic, and clear errors on bad arguments.
 */
class QuantCoreTest {

    static INDArray randn(long seed, long... shape) {
        Random rng = new Random(seed);
        long n = 1;
        for (long d : shape) n *= d;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
    }

    @Test
    void roundTripWithinHalfAStepInsideAndClipsOutside() {
        for (int bits = 2; bits <= 8; bits++) {
            for (Quantizer qz : new Quantizer[] {Quantizer.affine(bits), Quantizer.symmetric(bits)}) {
                QuantParams p = qz.params(-0.7, 1.9);
                double s = p.scale(0), lo = p.rangeMin(0), hi = p.rangeMax(0);
                assertTrue(lo <= -0.7 + s / 2 + 1e-12 && hi >= 1.9 - s / 2 - 1e-12, qz + ": range must cover the data");
                for (double x = -3; x <= 3; x += 0.001) {
                    double fq = p.dequantize(p.quantize(x, 0), 0);
                    if (x >= lo && x <= hi) {
                        assertTrue(Math.abs(x - fq) <= s / 2 + 1e-12, qz + " x=" + x + " fq=" + fq + " S=" + s);
                    } else {
                        assertEquals(x < lo ? lo : hi, fq, 1e-12, qz + ": values outside the range clip to its ends");
                    }
                }
            }
        }
    }

    @Test
    void affineRepresentsZeroExactlyAndUsesTheWholeGrid() {
        QuantParams p = Quantizer.affine(8).params(-1.0, 3.0);
        assertEquals(4.0 / 255, p.scale(0), 1e-15);
        assertEquals(64, p.zeroPoint(0)); // round(0 - (-1) / (4/255)) = round(63.75)
        assertEquals(0.0, p.dequantize(p.quantize(0.0, 0), 0), 0.0, "0 must be exact (zero padding, ReLU)");
        QuantParams s = Quantizer.symmetric(8).params(-1.0, 3.0);
        assertEquals(3.0 / 127, s.scale(0), 1e-15);
        assertEquals(0, s.zeroPoint(0));
        assertEquals(-127, s.quantize(-3.0, 0), "symmetric int8 maps -max|x| to -127 (a grid symmetric around 0)");
        assertEquals(-128, s.quantize(-10.0, 0), "values beyond the range clip to the format's end");
    }

    @Test
    void tensorQuantizeDequantizeFakeQuantizeAgree() {
        INDArray x = randn(1, 6, 5);
        QuantParams p = Quantizer.affine(4).calibrate(x);
        INDArray q = p.quantize(x);
        assertEquals(DataType.INT, q.dataType());
        assertArrayEquals(x.shape(), q.shape());
        INDArray viaInts = p.dequantize(q);
        INDArray fq = p.fakeQuantize(x);
        assertEquals(viaInts, fq.castTo(DataType.FLOAT));
        double max = x.amaxNumber().doubleValue();
        assertTrue(q.minNumber().intValue() >= 0 && q.maxNumber().intValue() <= 15);
        assertTrue(x.sub(fq).amaxNumber().doubleValue() <= p.scale(0) / 2 + 1e-6, "min-max never clips");
        assertTrue(max > 0);
    }

    @Test
    void perChannelScalesFollowEachOutputColumn() {
        INDArray w = randn(2, 20, 7); // [in, out]
        for (int c = 0; c < 7; c++) w.getColumn(c).muli(Math.pow(3, c - 3)); // columns of very different sizes
        QuantParams p = Quantizer.symmetric(8).perChannel(1).calibrate(w);
        assertEquals(7, p.count());
        double[][] m = w.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int c = 0; c < 7; c++) {
            double amax = 0;
            for (double[] row : m) amax = Math.max(amax, Math.abs(row[c]));
            assertEquals(amax / 127, p.scale(c), 1e-7 * amax, "column " + c + " must get its own max|w|/127 (axis 1 = output channels)");
        }
        INDArray fq = p.fakeQuantize(w);
        double perTensorErr = w.sub(Quantizer.symmetric(8).fakeQuantize(w)).getColumn(0).amaxNumber().doubleValue();
        double perChannelErr = w.sub(fq).getColumn(0).amaxNumber().doubleValue();
        assertTrue(perChannelErr < perTensorErr / 5, "the smallest column should gain from its own scale: "
                + perChannelErr + " vs " + perTensorErr);
        assertThrows(ShapeException.class, () -> p.quantize(randn(3, 7, 20)));
    }

    @Test
    void perGroupScalesFollowEachBlock() {
        INDArray w = randn(4, 8, 3); // [in=8, out=3], groups of 4 input rows per output column
        w.putScalar(5, 2, 50.0); // an outlier in group 1 of column 2
        QuantParams p = Quantizer.symmetric(4).perGroup(1, 4).calibrate(w);
        assertEquals(6, p.count());
        double[][] m = w.castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int g = 0; g < 2; g++) {
            for (int c = 0; c < 3; c++) {
                double amax = 0;
                for (int r = 4 * g; r < 4 * g + 4; r++) amax = Math.max(amax, Math.abs(m[r][c]));
                assertEquals(amax / 7, p.scale(g * 3 + c), 1e-6 * amax, "group " + g + " column " + c);
            }
        }
        assertThrows(ShapeException.class, () -> Quantizer.symmetric(4).perGroup(1, 3).calibrate(w));
    }

    @Test
    void observersPickTheirRanges() {
        double[] v = new double[1001];
        for (int i = 0; i <= 1000; i++) v[i] = i / 1000.0;
        v[1000] = 100; // one outlier
        INDArray x = Nd4j.createFromArray(v);
        MinMaxObserver mm = new MinMaxObserver();
        mm.observe(x);
        assertArrayEquals(new double[] {0, 100}, mm.range(), 0);
        PercentileObserver pc = new PercentileObserver(99);
        pc.observe(x);
        assertEquals(0.99, pc.range()[1], 1e-9, "the 99th percentile of 0..1 (plus one outlier) is about 0.99");
        assertEquals(0.01, pc.range()[0], 1e-9);
        // Gaussian data at 4 bits: the MSE-optimal clip is near 2.5 sigma (Banner et al. 2019, table 1), well inside
        // the max of 100k samples (about 4.4 sigma), and its error is well below min-max's.
        INDArray g = randn(9, 100_000);
        MseObserver mse = new MseObserver(QuantScheme.SYMMETRIC, IntFormat.signed(4), 200);
        mse.observe(g);
        double[] r = mse.range();
        double hi = Math.max(-r[0], r[1]);
        assertTrue(hi > 2.0 && hi < 3.2, "4-bit MSE clipping of N(0,1) should be near 2.5, got " + hi);
        double[] gv = g.castTo(DataType.DOUBLE).toDoubleVector();
        double minMaxMse = mse(gv, Quantizer.symmetric(4).calibrate(g));
        double clippedMse = mse(gv, Quantizer.symmetric(4).params(r[0], r[1]));
        assertEquals(clippedMse, mse.lastMse(), 1e-12);
        assertTrue(clippedMse < 0.6 * minMaxMse, clippedMse + " vs min-max " + minMaxMse);
        MovingAverageMinMaxObserver ma = new MovingAverageMinMaxObserver(0.5);
        ma.observe(Nd4j.createFromArray(0.0, 2.0));
        ma.observe(Nd4j.createFromArray(-2.0, 4.0));
        assertArrayEquals(new double[] {-1, 3}, ma.range(), 1e-12);
    }

    static double mse(double[] v, QuantParams p) {
        double s = 0;
        for (double d : v) s += Math.pow(d - p.dequantize(p.quantize(d, 0), 0), 2);
        return s / v.length;
    }

    @Test
    void fixedPointMultiplierIsExactRounding() {
        Random rng = new Random(5);
        for (int t = 0; t < 2000; t++) {
            double m = Math.exp(rng.nextDouble() * -12);
            FixedPointMultiplier f = FixedPointMultiplier.of(m);
            assertTrue(f.m0() >= (1L << 30) && f.m0() < (1L << 31));
            assertEquals(m, f.value(), m * Math.pow(2, -30), "M0 * 2^-n must approximate M to 31 bits");
            int acc = rng.nextInt(2_000_000) - 1_000_000;
            // exact reference: floor(acc * M0 / 2^n + 1/2) with BigInteger-free exact math via BigDecimal
            java.math.BigDecimal exact = new java.math.BigDecimal(acc).multiply(new java.math.BigDecimal(f.m0()))
                    .divide(new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(f.shift())));
            long ref = exact.add(new java.math.BigDecimal("0.5")).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
            assertEquals(ref, f.apply(acc), "acc=" + acc + " " + f);
        }
    }

    @Test
    void badArgumentsGetClearErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> Quantizer.affine(9));
        assertTrue(e.getMessage().contains("2 to 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Quantizer.symmetric(1));
        var empty = assertThrows(IllegalStateException.class, () -> new PercentileObserver(99.9).range());
        assertTrue(empty.getMessage().contains("no calibration data"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MinMaxObserver().observe(Nd4j.create(DataType.FLOAT, 0)));
        var zero = assertThrows(IllegalArgumentException.class, () -> Quantizer.affine(8).calibrate(Nd4j.zeros(3, 3)));
        assertTrue(zero.getMessage().contains("zero"), zero.getMessage());
        INDArray w = randn(6, 4, 3);
        w.getColumn(1).assign(0);
        QuantParams ch = Quantizer.symmetric(8).perChannel(1).calibrate(w); // a pruned channel: S = 1 by rule
        assertEquals(1.0, ch.scale(1), 0.0, "an all-zero channel gets the documented unit scale");
        assertEquals(w.getColumn(0).amaxNumber().doubleValue() / 127, ch.scale(0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new MinMaxObserver().observe(Nd4j.createFromArray(1.0, Double.NaN)));
    }
}
