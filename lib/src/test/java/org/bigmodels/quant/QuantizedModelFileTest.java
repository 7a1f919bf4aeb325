package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantized file: exact round trip (uniform and k-means), truncation and corruption rejected, size vs float32. */
class QuantizedModelFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsExactAndBadFilesAreRejected() throws Exception {
        MLP m = MLP.of(784, 300, 100, 10);
        QuantizedModelFile f = QuantizedModelFile.of(m, Quantizer.symmetric(8).perChannel(1));
        Path p = dir.resolve("m.bmq");
        long bytes = f.save(p);
        assertEquals(Files.size(p), bytes);
        double ratio = (double) f.float32Bytes() / bytes;
        assertTrue(ratio > 3.9 && ratio <= 4.0, "int8 weights + float32 biases and scales: about 4x smaller, got " + ratio);
        QuantizedModelFile g = QuantizedModelFile.load(p);
        assertEquals(f.entries(), g.entries(), "every entry (integers, scales, zero points, biases) must come back exactly");
        assertEquals(f.toMLP().linears().get(1).weight().value(), g.toMLP().linears().get(1).weight().value());

        QuantizedModelFile k = QuantizedModelFile.ofKMeans(MLP.of(20, 8, 3), 3, 5);
        Path pk = dir.resolve("k.bmq");
        k.save(pk);
        var e0 = (KMeansCodebook) k.entries().get("0.weight");
        var e1 = (KMeansCodebook) QuantizedModelFile.load(pk).entries().get("0.weight");
        assertArrayEquals(e0.centroids(), e1.centroids(), 0);
        assertArrayEquals(e0.indices(), e1.indices());

        QuantizedModelFile f4 = QuantizedModelFile.of(MLP.of(16, 8), Quantizer.affine(4).perGroup(1, 4));
        Path p4 = dir.resolve("g.bmq");
        f4.save(p4);
        assertEquals(f4.entries(), QuantizedModelFile.load(p4).entries(), "4-bit per-group entries round trip");

        byte[] b = Files.readAllBytes(p);
        Path t = dir.resolve("t.bmq");
        Files.write(t, java.util.Arrays.copyOf(b, b.length - 1000));
        var te = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(t));
        assertTrue(te.getMessage().contains("truncated"), te.getMessage());
        b[b.length / 2] ^= 0x10;
        Path c = dir.resolve("c.bmq");
        Files.write(c, b);
        var ce = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(c));
        assertTrue(ce.getMessage().contains("corrupted"), ce.getMessage());
        Files.write(c, new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(c));
    }
}
