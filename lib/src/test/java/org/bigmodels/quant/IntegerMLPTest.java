package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Random;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Integer-only inference against the float64 fake-quant simulation of the same numbers (the same integers, every
 * layer, every element), the int8 kernel against a loop in long, and weight-only PTQ against the per-channel
 * round-trip bound.
 */
class IntegerMLPTest {

    static INDArray inputs(long seed, int n, int d) {
        Random rng = new Random(seed);
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble() < 0.3 ? 0 : rng.nextDouble();
        return Nd4j.create(v, new long[] {n, d}, 'c').castTo(DataType.FLOAT);
    }

    static MLP model(long seed) {
        MLP m = new MLP(new long[] {64, 48, 32, 10}, Activation.RELU, DataType.FLOAT, seed);
        Random rng = new Random(seed);
        m.linears().forEach(l -> l.bias().value().assign(Nd4j.rand(DataType.FLOAT, l.out()).subi(0.5)));
        return m;
    }

    @Test
    void integerPathEqualsFloat64SimulationExactly() {
        for (long seed = 1; seed <= 3; seed++) {
            MLP m = model(seed);
            IntegerMLP q = IntegerMLP.quantize(m, inputs(seed, 200, 64));
            INDArray x = inputs(seed + 100, 300, 64); // unseen data: some values clip
            List<int[]> ints = q.forwardInts(x);
            List<int[]> sim = q.simulate(x, DataType.DOUBLE);
            assertEquals(3, ints.size());
            for (int l = 0; l < 3; l++) {
                assertArrayEquals(sim.get(l), ints.get(l), "layer " + l + " seed " + seed
                        + ": the integer-only path must give the same integers as the float64 simulation");
            }
            int[] codes = ints.get(0);
            assertTrue(java.util.Arrays.stream(codes).anyMatch(c -> c > 0), "hidden activations all zero: a vacuous test");
            // and the integer model is close to the float model
            INDArray logits = q.logits(x), ref = m.forward(x).value();
            double err = logits.sub(ref).norm2Number().doubleValue() / ref.norm2Number().doubleValue();
            assertTrue(err < 0.05, "relative logit error " + err);
        }
    }

    @Test
    void int8KernelMatchesLongLoop() {
        Random rng = new Random(3);
        int n = 5, in = 37, out = 11;
        byte[] x = new byte[n * in], w = new byte[out * in];
        rng.nextBytes(x);
        rng.nextBytes(w);
        int[] b = new int[out];
        for (int j = 0; j < out; j++) b[j] = rng.nextInt(20001) - 10000;
        int[] acc = new int[n * out];
        IntegerMLP.int8Matmul(x, w, b, acc, n, in, out);
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < out; j++) {
                long s = b[j];
                for (int i = 0; i < in; i++) s += (long) Byte.toUnsignedInt(x[r * in + i]) * w[j * in + i];
                assertEquals(s, acc[r * out + j], "x must be read as unsigned (uint8), w as signed (int8)");
            }
        }
    }

    @Test
    void weightOnlyPtqStaysWithinHalfAStepPerChannel() {
        MLP m = model(7);
        Quantizer q = Quantizer.symmetric(8).perChannel(1);
        MLP pq = WeightOnlyPTQ.quantize(m, q);
        var params = WeightOnlyPTQ.params(m, q);
        assertEquals(3, params.size());
        for (int l = 0; l < 3; l++) {
            INDArray w = m.linears().get(l).weight().value(), wq = pq.linears().get(l).weight().value();
            QuantParams p = params.get((2 * l) + ".weight");
            double[][] d = w.sub(wq).castTo(DataType.DOUBLE).toDoubleMatrix();
            for (double[] row : d) for (int j = 0; j < row.length; j++) assertTrue(Math.abs(row[j]) <= p.scale(j) / 2 + 1e-7);
            assertNotEquals(w, wq, "the copy must be quantized");
        }
        assertEquals(m.linears().get(0).bias().value(), pq.linears().get(0).bias().value());
    }

    @Test
    void rejectsNonReluAndWrongFormats() {
        MLP tanh = new MLP(new long[] {4, 3, 2}, Activation.TANH, DataType.FLOAT, 1);
        assertThrows(IllegalArgumentException.class, () -> IntegerMLP.quantize(tanh, inputs(1, 5, 4)));
        assertThrows(IllegalArgumentException.class, () -> IntegerMLP.quantize(model(1), inputs(1, 5, 64),
                Quantizer.affine(8).perChannel(1), Quantizer.affine(8)));
    }
}
