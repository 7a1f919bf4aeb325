package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Regression tests from the adversarial review (BREAK-1 items 1, 7, 13 and the k-means minor items): saturation and
 * non-finite input in quantize, pruned channels and oversized biases in IntegerMLP, no temporary file left by a
 * failed save, and k-means codebooks that never hold NaN or infinite centroids.
 */
class QuantEdgeCaseTest {
    @TempDir
    Path dir;

    @Test
    void hugeValuesSaturateAndNonFiniteValuesAreRejected() {
        QuantParams p = Quantizer.affine(8).calibrate(Nd4j.createFromArray(-1.0, 1.0)); // S = 2/255, Z = 128
        assertEquals(255, p.quantize(1e30, 0), "a value far above the range saturates to qmax (not wrap to qmin)");
        assertEquals(0, p.quantize(-1e30, 0), "a value far below the range saturates to qmin");
        assertEquals(255, p.quantize(Double.MAX_VALUE, 0), "x / S overflowing to infinity still saturates");
        INDArray f = p.fakeQuantize(Nd4j.createFromArray(1e30, -1e30));
        assertEquals(p.rangeMax(0), f.getDouble(0), 1e-12);
        assertEquals(p.rangeMin(0), f.getDouble(1), 1e-12);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> p.quantize(bad, 0), "quantize(" + bad + ")");
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
            var t = assertThrows(IllegalArgumentException.class, () -> p.fakeQuantize(Nd4j.createFromArray(0.5, bad)));
            assertTrue(t.getMessage().contains("element 1"), t.getMessage());
        }
        MLP m = new MLP(new long[] {4, 3, 2}, Activation.RELU, DataType.FLOAT, 1);
        IntegerMLP q = IntegerMLP.quantize(m, Nd4j.rand(DataType.FLOAT, 20, 4));
        INDArray nanRow = Nd4j.valueArrayOf(new long[] {1, 4}, Float.NaN, DataType.FLOAT);
        assertThrows(IllegalArgumentException.class, () -> q.logits(nanRow), "a NaN input must not become logits 0");
    }

    @Test
    void prunedChannelQuantizesWithUnitScale() {
        MLP m = IntegerMLPTest.model(4);
        Linear l0 = m.linears().get(0), l1 = m.linears().get(1);
        l0.weight().value().getColumn(5).assign(0); // pruned hidden unit 5 of layer 0
        l1.weight().value().getColumn(7).assign(0); // pruned hidden unit 7 of layer 1
        INDArray calib = IntegerMLPTest.inputs(4, 200, 64);
        IntegerMLP q = IntegerMLP.quantize(m, calib);
        assertEquals(1.0, q.weightParams(0).scale(5), 0.0);
        assertEquals(1.0, q.weightParams(1).scale(7), 0.0);
        assertEquals(0, q.weightParams(0).zeroPoint(5));
        assertEquals(0.0, q.weightInts(0).getColumn(5).amaxNumber().doubleValue(), 0.0, "a zero weight stays 0");
        INDArray x = IntegerMLPTest.inputs(5, 50, 64);
        List<int[]> ints = q.forwardInts(x), sim = q.simulate(x, DataType.DOUBLE);
        for (int l = 0; l < ints.size(); l++) assertArrayEquals(sim.get(l), ints.get(l), "layer " + l);
        // independent reference: the float model; the integer logits stay within a few quantization steps of it
        INDArray ref = m.forward(x).value().castTo(DataType.DOUBLE), got = q.logits(x).castTo(DataType.DOUBLE);
        double err = got.sub(ref).amaxNumber().doubleValue(), span = ref.amaxNumber().doubleValue();
        assertTrue(err < 0.1 * span, "integer logits far from the float model: " + err + " vs range " + span);
        // the per-channel rule does not reach a whole all-zero tensor: still a clear error
        assertThrows(IllegalArgumentException.class, () -> Quantizer.symmetric(8).calibrate(Nd4j.zeros(3, 3)));
        QuantParams pc = Quantizer.affine(8).perChannel(1).calibrate(Nd4j.createFromArray(new double[][] {{0, 1}, {0, 2}}));
        assertEquals(0.0, pc.fakeQuantize(Nd4j.createFromArray(new double[][] {{0, 1}, {0, 2}})).getColumn(0)
                .amaxNumber().doubleValue(), 0.0, "an all-zero affine channel dequantizes to exactly 0");
    }

    @Test
    void biasTooLargeForTheScalesNamesTheLayer() {
        MLP m = new MLP(new long[] {4, 3, 2}, Activation.RELU, DataType.FLOAT, 2);
        m.linears().get(0).weight().value().muli(1e-6);
        m.linears().get(0).bias().value().assign(1.0);
        var e = assertThrows(IllegalArgumentException.class, () -> IntegerMLP.quantize(m, Nd4j.rand(DataType.FLOAT, 20, 4)));
        assertTrue(e.getMessage().contains("layer 0") && e.getMessage().contains("too large for the product of scales"),
                e.getMessage());
    }

    @Test
    void failedSaveLeavesNoTemporaryFileAndMissingFileSaysSo() throws Exception {
        QuantizedModelFile f = QuantizedModelFile.of(MLP.of(6, 4, 2), Quantizer.symmetric(8).perChannel(1));
        Path target = Files.createDirectory(dir.resolve("isdir"));
        var e = assertThrows(RuntimeException.class, () -> f.save(target));
        assertTrue(e.getMessage().contains("isdir"), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.toList(), "a failed save must leave nothing behind (no .tmp file)");
        }
        var m = assertThrows(UncheckedIOException.class, () -> QuantizedModelFile.load(dir.resolve("missing.bmq")));
        assertTrue(m.getMessage().contains("does not exist"), m.getMessage());
    }

    @Test
    void kMeansNeverHoldsNonFiniteCentroids() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> KMeansCodebook.fit(Nd4j.createFromArray(-1e308, 1e308, 0.0), 2, 5));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
        KMeansCodebook wide = KMeansCodebook.fit(Nd4j.createFromArray(-3e38, 3e38, 0.0), 2, 5);
        for (double c : wide.centroids()) assertTrue(Double.isFinite(c), "centroid " + c);
        KMeansCodebook k = KMeansCodebook.fit(Nd4j.createFromArray(1.0, 2.0), 1, 1);
        double[] before = k.centroids();
        for (double lr : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.1}) {
            assertThrows(IllegalArgumentException.class, () -> k.fineTune(Nd4j.createFromArray(1.0, 1.0), lr), "lr " + lr);
        }
        assertThrows(IllegalArgumentException.class, () -> k.fineTune(Nd4j.createFromArray(Double.NaN, 1.0), 0.1));
        assertArrayEquals(before, k.centroids(), 0.0, "a refused step must leave the codebook unchanged");
        k.fineTune(Nd4j.createFromArray(1.0, 1.0), 0.1);
        assertEquals(before[0] - 0.1, k.centroids()[0], 1e-12);
    }
}
