package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bigmodels.nn.MLP;
import org.bigmodels.prune.MagnitudePruning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The quantized file: exact round trip (uniform, k-means, float; dense and sparse), version-1 files still read, the
 * sparse size equal to its closed form computed from the weights in plain loops, truncation and corruption rejected.
 */
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
        assertEquals(bytes, f.bytes());
        // (its biases start at zero: they are stored sparse, 8 + 1 bytes instead of 4 per element)
        assertTrue(f.sparseEntries().stream().noneMatch(n -> n.endsWith("weight")), "dense weights are stored dense, got sparse " + f.sparseEntries());
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

    /** A 784-300-100-10 MLP with 90 % of each weight matrix's entries set to exactly 0 by magnitude. */
    private static MLP pruned(double sparsity) {
        MLP m = MLP.of(784, 300, 100, 10);
        m.namedParameters().forEach((name, t) -> {
            if (name.endsWith("weight")) t.value().muli(MagnitudePruning.mask(t.value(), sparsity));
        });
        return m;
    }

    /**
     * The file size from first principles, in plain loops over the dequantized weights: the format's fixed fields,
     * and per weight the cheaper of ceil(numel*b/8) (dense) and 8 + ceil((s+f)/2) + ceil(s*b/8) (sparse), where s
     * counts the non-zeros and f = sum over the runs of zeros before each non-zero of floor(run/15).
     */
    private static long expectedBytes(MLP dequantized, int bits) {
        long n = 4 + 4 + (2 + 3) + 4 + 4L * dequantized.sizes().length + (2 + "RELU".length()) + 4 + 8;
        for (var e : dequantized.namedParameters().entrySet()) {
            double[] v = e.getValue().value().castTo(DataType.DOUBLE).dup('c').data().asDouble();
            long[] shape = e.getValue().value().shape();
            n += 2 + e.getKey().length() + 1 + 4 + 8L * shape.length;
            boolean weight = e.getKey().endsWith("weight");
            int b = weight ? bits : 32;              // biases: float32, sparse too when that is smaller (zeros at init)
            if (weight) n += 1 + 1 + 4 + 4 + 4 + shape[1] * (8 + 4);
            long s = 0, fillers = 0, run = 0;
            for (double x : v) {
                if (x == 0) {
                    run++;
                } else {
                    s++;
                    fillers += run / 15;
                    run = 0;
                }
            }
            long dense = ((long) v.length * b + 7) / 8, sparse = 8 + (s + fillers + 1) / 2 + (s * b + 7) / 8;
            n += Math.min(dense, sparse);
        }
        return n;
    }

    @Test
    void prunedWeightsAreStoredSparseAtTheirClosedFormSize() throws Exception {
        MLP m = pruned(0.9);
        QuantizedModelFile f = QuantizedModelFile.of(m, Quantizer.symmetric(8).perChannel(1));
        Path p = dir.resolve("sparse.bmq");
        long bytes = f.save(p);
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), f.sparseEntries());
        QuantizedModelFile g = QuantizedModelFile.load(p);
        assertEquals(f.entries(), g.entries(), "sparse entries must come back exactly (codes, scales, zero points)");
        MLP back = g.toMLP(), inMemory = f.toMLP();
        for (int l = 0; l < 3; l++) {
            INDArray w = m.linears().get(l).weight().value(), wq = back.linears().get(l).weight().value();
            assertEquals(inMemory.linears().get(l).weight().value(), wq, "dense dequantized weights of layer " + l);
            double[] a = w.castTo(DataType.DOUBLE).dup('c').data().asDouble(), q = wq.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int k = 0; k < a.length; k++) if (a[k] == 0) assertEquals(0.0, q[k], 0.0, "a pruned weight must load as exactly 0");
        }
        assertEquals(expectedBytes(inMemory, 8), bytes, "the file size must equal its closed form");
        long denseBytes = QuantizedModelFile.of(MLP.of(784, 300, 100, 10), Quantizer.symmetric(8).perChannel(1)).bytes();
        double saving = (double) denseBytes / bytes;
        // 10 % of the weights at 8 bits + about 4.8 bits of index each: about 1/(0.1*(8+4.8)/8) = 6x on the weights
        assertTrue(saving > 4.5 && saving < 7, "90 % sparse int8 should be about 6x smaller than dense int8, got " + saving);

        // 4 bits: the same closed form with b = 4
        QuantizedModelFile f4 = QuantizedModelFile.of(m, Quantizer.symmetric(4).perChannel(1));
        assertEquals(expectedBytes(f4.toMLP(), 4), f4.save(dir.resolve("s4.bmq")));
        assertEquals(f4.entries(), QuantizedModelFile.load(dir.resolve("s4.bmq")).entries());

        // a truncated or corrupted sparse file is rejected
        byte[] b = Files.readAllBytes(p);
        Files.write(dir.resolve("t.bmq"), java.util.Arrays.copyOf(b, b.length - 10));
        var te = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(dir.resolve("t.bmq")));
        assertTrue(te.getMessage().contains("truncated"), te.getMessage());
        b[b.length / 3] ^= 0x01;
        Files.write(dir.resolve("c.bmq"), b);
        var ce = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(dir.resolve("c.bmq")));
        assertTrue(ce.getMessage().contains("corrupted"), ce.getMessage());
    }

    @Test
    void sparseFloatAndKMeansEntriesRoundTripIncludingLongRunsOfZeros() {
        MLP m = MLP.of(40, 3);
        INDArray w = Nd4j.zeros(DataType.FLOAT, 40, 3);
        w.putScalar(new long[] {0, 1}, -0.0f);      // negative zero is not +0.0: stored (code 1), comes back negative
        w.putScalar(new long[] {39, 2}, 0.5f);      // then 117 zeros: 7 fillers and the code 12
        m.linears().get(0).weight().value().assign(w);
        QuantizedModelFile f = QuantizedModelFile.of(m, x -> x);
        assertEquals(java.util.List.of("0.weight", "0.bias"), f.sparseEntries());
        assertArrayEquals(new int[] {1, 15, 15, 15, 15, 15, 15, 15, 12}, Fixture.index(w));
        Path p = dir.resolve("f.bmq");
        f.save(p);
        INDArray back = (INDArray) QuantizedModelFile.load(p).entries().get("0.weight");
        assertEquals(w, back);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back.getFloat(0, 1)), "-0.0 must come back");

        // a k-means codebook with an exact-zero centroid: the elements on it are omitted, the others exact
        int[] idx = new int[120];
        idx[7] = 2;
        idx[100] = 3;
        KMeansCodebook cb = KMeansCodebook.of(new double[] {0.0, -0.25, 0.5, 1e-3}, idx, new long[] {40, 3}, 2);
        QuantizedModelFile k = QuantizedModelFile.of(MLP.of(40, 3), x -> cb);
        assertEquals(java.util.List.of("0.weight", "0.bias"), k.sparseEntries());
        k.save(p);
        KMeansCodebook kb = (KMeansCodebook) QuantizedModelFile.load(p).entries().get("0.weight");
        assertArrayEquals(idx, kb.indices());
        assertArrayEquals(cb.centroids(), kb.centroids(), 0);
        // without an exact zero, nothing can be omitted: stored dense
        KMeansCodebook noZero = KMeansCodebook.of(new double[] {0.1, -0.25, 0.5, 1e-3}, idx, new long[] {40, 3}, 2);
        assertEquals(java.util.List.of("0.bias"), QuantizedModelFile.of(MLP.of(40, 3), x -> noZero).sparseEntries());
    }

    /** The relative index of an array's non-zero (bit pattern) elements, computed in a plain loop. */
    private static final class Fixture {
        static int[] index(INDArray w) {
            float[] v = w.dup('c').data().asFloat();
            java.util.List<Integer> codes = new java.util.ArrayList<>();
            int run = 0;
            for (float x : v) {
                if (Float.floatToRawIntBits(x) == 0) {
                    run++;
                    continue;
                }
                for (; run >= 15; run -= 15) codes.add(15);
                codes.add(run);
                run = 0;
            }
            int[] expected = codes.stream().mapToInt(Integer::intValue).toArray();
            boolean[] keep = new boolean[v.length];
            for (int i = 0; i < v.length; i++) keep[i] = Float.floatToRawIntBits(v[i]) != 0;
            assertArrayEquals(expected, QuantizedModelFile.relativeIndex(keep), "relative index vs the plain loop");
            return expected;
        }
    }

    @Test
    void versionOneFilesAreStillRead() throws Exception {
        // written by the version-1 library (commit 370d1b4) from MLP.of(12, 6, 3); see fixtures/quant/README.md
        MLP m = MLP.of(12, 6, 3);
        Path dir1 = Path.of("src/test/resources/fixtures/quant");
        QuantizedModelFile u = QuantizedModelFile.load(dir1.resolve("v1-uniform.bmqf"));
        assertEquals(QuantizedModelFile.of(m, Quantizer.symmetric(8).perChannel(1)).entries(), u.entries());
        assertEquals(1, Files.readAllBytes(dir1.resolve("v1-uniform.bmqf"))[7], "the fixture is a version-1 file");
        QuantizedModelFile k = QuantizedModelFile.load(dir1.resolve("v1-kmeans.bmqf"));
        KMeansCodebook expected = (KMeansCodebook) QuantizedModelFile.ofKMeans(m, 3, 5).entries().get("0.weight");
        assertArrayEquals(expected.indices(), ((KMeansCodebook) k.entries().get("0.weight")).indices());
        assertArrayEquals(expected.centroids(), ((KMeansCodebook) k.entries().get("0.weight")).centroids(), 0);
    }

    @Test
    void aSparseIndexRunningPastTheEntryIsRejectedEvenWithAValidChecksum() throws Exception {
        MLP m = MLP.of(4, 3);
        INDArray w = Nd4j.zeros(DataType.FLOAT, 4, 3);
        w.putScalar(new long[] {1, 2}, 0.5f);       // element 5 of 12: one code, 5
        m.linears().get(0).weight().value().assign(w);
        Path p = dir.resolve("x.bmq");
        QuantizedModelFile.of(m, x -> x).save(p);
        byte[] b = Files.readAllBytes(p);
        // the index starts after: magic 4, version 4, "mlp" 5, sizes 4+8, "RELU" 6, entries 4, name "0.weight" 10,
        // kind 1, rank 4, shape 16, stored 4, slots 4 -> byte 74
        assertEquals((byte) 0x05, b[74], "the one code: skip 5 zeros");
        b[74] = 0x0E;                               // skip 14: the element lands past the 12 of the entry
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, b.length - 8);
        java.nio.ByteBuffer.wrap(b, b.length - 8, 8).putLong(crc.getValue());
        Files.write(p, b);
        var e = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(p));
        assertTrue(e.getMessage().contains("corrupted") && e.getMessage().contains("past"), e.getMessage());
    }

    /** The body of a hand-written file after the activation name (entry count, then the entries). */
    private interface Entries {
        void write(DataOutputStream out) throws IOException;
    }

    /** A file with a valid magic, version 2, the given layer sizes (null: a count of 2^31-1 and none), and checksum. */
    private Path handWritten(String name, int[] sizes, Entries entries) throws IOException {
        var bos = new java.io.ByteArrayOutputStream();
        var out = new DataOutputStream(bos);
        out.writeBytes("BMQF");
        out.writeInt(2);
        out.writeUTF("mlp");
        out.writeInt(sizes == null ? Integer.MAX_VALUE : sizes.length);
        if (sizes != null) for (int s : sizes) out.writeInt(s);
        out.writeUTF("RELU");
        entries.write(out);
        out.flush();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bos.toByteArray());
        out.writeLong(crc.getValue());
        Path p = dir.resolve(name);
        Files.write(p, bos.toByteArray());
        return p;
    }

    /** Name, kind and shape of an entry (the kind's header and payload follow). */
    private static void entryHead(DataOutputStream out, String name, int kind, long... shape) throws IOException {
        out.writeUTF(name);
        out.writeByte(kind);
        out.writeInt(shape.length);
        for (long d : shape) out.writeLong(d);
    }

    private static void floatEntry(DataOutputStream out, String name, long[] shape, float... v) throws IOException {
        entryHead(out, name, 0, shape);
        for (float x : v) out.writeFloat(x);
    }

    /** Loading must fail with an IllegalArgumentException whose message holds every one of the fragments. */
    private static void assertRefused(Path p, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.load(p));
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "expected \"" + s + "\" in: " + e.getMessage());
    }

    @Test
    void countsClaimedByATinyFileAreCheckedAgainstItsBytesBeforeAllocating() throws Exception {
        // each of these made the reader allocate gigabytes (OutOfMemoryError) before it noticed the file was short
        assertRefused(handWritten("sizes", null, out -> { }), "claims 2147483647 layer sizes", "holds");
        assertRefused(handWritten("dense", new int[] {50000, 40000}, out -> {
            out.writeInt(2);
            entryHead(out, "0.weight", 0, 50000, 40000);
        }), "0.weight claims 2000000000 elements at 32 bits", "8000000000 bytes", "holds only 0 bytes");
        assertRefused(handWritten("scales", new int[] {50000, 40000}, out -> {
            out.writeInt(2);
            entryHead(out, "0.weight", 1, 50000, 40000);
            out.writeByte(8);
            out.writeByte(1);
            out.writeInt(1);
            out.writeInt(0);
            out.writeInt(2_000_000_000);
        }), "0.weight claims 2000000000 scales", "holds only 0 bytes");
        assertRefused(handWritten("sparse", new int[] {8193, 8192}, out -> {
            out.writeInt(2);
            entryHead(out, "0.weight", QuantizedModelFile.SPARSE, 8193, 8192);
            out.writeInt(0);
            out.writeInt(0);
        }), "claim 67117056 elements", "more than the 67108864");
        assertRefused(handWritten("huge", new int[] {65536, 65536}, out -> {
            out.writeInt(2);
            entryHead(out, "0.weight", 0, 65536, 65536);
        }), "0.weight claims 4294967296 elements, more than the 2147483647");
    }

    @Test
    void entriesMustBeExactlyTheParametersOfTheMLPTheirSizesDescribe() throws Exception {
        float[] twelve = new float[12];
        long[] w = {4, 3}, b = {3};
        // a [3, 4] weight used to load as another matrix, [1, 3] to fill row 0 only, [12] to be reshaped in
        for (long[] shape : new long[][] {{3, 4}, {1, 3}, {12}, {(1L << 62) + 1, 4}}) {
            float[] v = new float[(int) Math.min(12, Math.abs(shape[0] * (shape.length > 1 ? shape[1] : 1)))];
            assertRefused(handWritten("shape", new int[] {4, 3}, out -> {
                out.writeInt(2);
                floatEntry(out, "0.weight", shape, v);
                floatEntry(out, "0.bias", b, 0, 0, 0);
            }), "0.weight has shape " + java.util.Arrays.toString(shape), "parameter has [4, 3]");
        }
        assertRefused(handWritten("rank0", new int[] {4, 3}, out -> {
            out.writeInt(2);
            floatEntry(out, "0.weight", w, twelve);
            floatEntry(out, "0.bias", new long[0], 5);
        }), "0.bias has shape []", "parameter has [3]");
        assertRefused(handWritten("twice", new int[] {4, 3}, out -> {
            out.writeInt(2);
            floatEntry(out, "0.weight", w, twelve);
            floatEntry(out, "0.weight", w, twelve);
        }), "0.weight appears twice");
        assertRefused(handWritten("junk", new int[] {4, 3}, out -> {
            out.writeInt(2);
            floatEntry(out, "0.weight", w, twelve);
            floatEntry(out, "junk", new long[] {2}, 1, 2);
        }), "junk is not a parameter", "[0.weight, 0.bias]");
        assertRefused(handWritten("extra", new int[] {4, 3}, out -> {
            out.writeInt(3);
            floatEntry(out, "0.weight", w, twelve);
            floatEntry(out, "0.bias", b, 0, 0, 0);
            floatEntry(out, "junk", new long[] {2}, 1, 2);
        }), "holds 3 entries", "has 2 parameters");
        assertRefused(handWritten("missing", new int[] {4, 3}, out -> {
            out.writeInt(1);
            floatEntry(out, "0.weight", w, twelve);
        }), "holds 1 entries", "has 2 parameters");
        // the well-formed file of the same shapes loads, and rebuilds the stored values
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = i;
        Path ok = handWritten("ok", new int[] {4, 3}, out -> {
            out.writeInt(2);
            floatEntry(out, "0.weight", w, v);
            floatEntry(out, "0.bias", b, 1, 2, 3);
        });
        MLP m = QuantizedModelFile.load(ok).toMLP();
        assertEquals(7f, m.linears().get(0).weight().value().getFloat(2, 1), "element [2, 1] is value 2*3+1 in c order");
        assertEquals(3f, m.linears().get(0).bias().value().getFloat(2));
    }

    @Test
    void nonFiniteValuesAreRefusedAtSaveAndAtLoad() throws Exception {
        assertRefused(handWritten("nan", new int[] {4, 3}, out -> {
            out.writeInt(2);
            floatEntry(out, "0.weight", new long[] {4, 3}, new float[12]);
            floatEntry(out, "0.bias", new long[] {3}, 0, Float.POSITIVE_INFINITY, Float.NaN);
        }), "entry 0.bias holds Infinity at element 1");
        for (double c : new double[] {Double.NaN, 1e300}) {
            assertRefused(handWritten("centroid", new int[] {2, 1}, out -> {
                out.writeInt(2);
                entryHead(out, "0.weight", 2, 2, 1);
                out.writeByte(1);
                out.writeDouble(c);
                out.writeDouble(1);
                out.writeByte(0b10);
                floatEntry(out, "0.bias", new long[] {1}, 0);
            }), "0.weight has centroid 0 = " + c, "finite");
        }
        MLP m = MLP.of(4, 3);
        m.linears().get(0).weight().value().putScalar(5, Float.NaN);
        var e = assertThrows(IllegalArgumentException.class, () -> QuantizedModelFile.of(m, x -> x));
        assertTrue(e.getMessage().contains("0.weight holds NaN at element 5"), e.getMessage());
        var ok = QuantizedModelFile.of(MLP.of(4, 3), x -> x);
        ((INDArray) ok.entries().get("0.bias")).putScalar(0, Float.NEGATIVE_INFINITY);
        var s = assertThrows(IllegalArgumentException.class, () -> ok.save(dir.resolve("inf.bmq")));
        assertTrue(s.getMessage().contains("0.bias holds -Infinity"), s.getMessage());
        assertFalse(Files.exists(dir.resolve("inf.bmq")), "no file is written");
    }

    @Test
    void malformedUniformAndSparseEntriesGetTheRightReason() throws Exception {
        assertRefused(handWritten("pertensor", new int[] {2, 2}, out -> {
            out.writeInt(2);
            entryHead(out, "0.weight", 1, 2, 2);
            out.writeByte(8);
            out.writeByte(1);
            out.writeInt(-1);                       // per-tensor, yet 3 scales: two would be silently ignored
            out.writeInt(0);
            out.writeInt(3);
        }), "0.weight has 3 scales", "per-tensor: expected 1");
        assertRefused(handWritten("codes", new int[] {4, 3}, out -> {
            out.writeInt(2);
            entryHead(out, "0.weight", QuantizedModelFile.SPARSE, 4, 3);
            out.writeInt(1);                        // one stored element, two element codes
            out.writeInt(2);
            out.writeByte(0x00);
            out.writeFloat(1f);
        }), "more element codes than the 1 stored");
    }
}
