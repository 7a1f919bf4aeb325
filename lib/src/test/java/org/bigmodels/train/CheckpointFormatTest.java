package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 6 of issue 6 (the file): checkpoint format version 2 of notes/CHECKPOINT-V2.md. The reference is a file
 * assembled byte by byte from the specification; every damaged or truncated variant must be refused with an
 * IllegalArgumentException (never another exception, never an allocation from a damaged header).
 */
class CheckpointFormatTest {
    @TempDir
    Path dir;

    /** One entry as the specification lays it out. */
    record Entry(String name, String dtype, long[] shape, byte[] data) {}

    static byte[] file(int version, int count, Entry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {'B', 'M', 'C', 'K'});
        out.writeInt(version);
        out.writeInt(count);
        for (Entry e : entries) {
            out.writeUTF(e.name);
            out.writeUTF(e.dtype);
            out.writeInt(e.shape.length);
            for (long s : e.shape) out.writeLong(s);
            out.write(e.data);
        }
        if (version == 2) {
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        }
        return bytes.toByteArray();
    }

    static byte[] floats(float... v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        for (float f : v) o.writeFloat(f);
        return b.toByteArray();
    }

    static byte[] doubles(double... v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        for (double d : v) o.writeDouble(d);
        return b.toByteArray();
    }

    static byte[] longs(long... v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        for (long l : v) o.writeLong(l);
        return b.toByteArray();
    }

    static Entry[] sample() throws IOException {
        return new Entry[] {
                new Entry("w", "FLOAT", new long[] {2, 3}, floats(1, -2, 3.5f, Float.NaN, -0f, Float.MAX_VALUE)),
                new Entry("b", "DOUBLE", new long[] {2}, doubles(Math.PI, Double.MIN_VALUE)),
                new Entry("step", "LONG", new long[] {}, longs(1L << 40)),
                new Entry("empty", "FLOAT", new long[] {0, 3}, new byte[0])};
    }

    Path put(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    IllegalArgumentException refused(byte[] content) throws IOException {
        Path f = put("bad.bmck", content);
        return assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(f));
    }

    @Test
    void writeProducesExactlyTheSpecifiedBytes() throws IOException {
        Map<String, INDArray> values = new LinkedHashMap<>();
        values.put("w", Nd4j.createFromArray(new float[][] {{1, -2, 3.5f}, {Float.NaN, -0f, Float.MAX_VALUE}}));
        values.put("b", Nd4j.createFromArray(Math.PI, Double.MIN_VALUE));
        values.put("step", Nd4j.scalar(1L << 40));
        values.put("empty", Nd4j.create(DataType.FLOAT, 0, 3));
        Path f = dir.resolve("w.bmck");
        Checkpoint.write(values, f);
        assertArrayEquals(file(2, 4, sample()), Files.readAllBytes(f));
    }

    @Test
    void readGivesBackEveryValueBitForBitInBothVersions() throws IOException {
        for (int version : new int[] {1, 2}) {
            Entry[] entries = version == 2 ? sample() : Arrays.copyOf(sample(), 2); // version 1: no LONG
            Map<String, INDArray> got = Checkpoint.read(put("v" + version + ".bmck", file(version, entries.length, entries)));
            assertEquals(entries.length == 4 ? java.util.List.of("w", "b", "step", "empty") : java.util.List.of("w", "b"),
                    java.util.List.copyOf(got.keySet()), "insertion order");
            INDArray w = got.get("w");
            assertEquals(DataType.FLOAT, w.dataType());
            assertArrayEquals(new long[] {2, 3}, w.shape());
            float[] expected = {1, -2, 3.5f, Float.NaN, -0f, Float.MAX_VALUE};
            for (int i = 0; i < 6; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(w.getFloat(i / 3, i % 3)));
            }
            assertArrayEquals(new double[] {Math.PI, Double.MIN_VALUE}, got.get("b").toDoubleVector(), 0.0);
            if (version == 2) {
                assertEquals(DataType.LONG, got.get("step").dataType());
                assertEquals(0, got.get("step").rank());
                assertEquals(1L << 40, got.get("step").getLong(0));
                assertArrayEquals(new long[] {0, 3}, got.get("empty").shape());
            }
        }
    }

    @Test
    void aFlippedByteAnywhereIsDetected() throws IOException {
        byte[] good = file(2, 4, sample());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            IllegalArgumentException e = refused(bad);
            assertTrue(e.getMessage().contains("bad.bmck"), "byte " + i + ": " + e.getMessage());
        }
        assertTrue(refused(flip(good, 40)).getMessage().contains("checksum"));
    }

    static byte[] flip(byte[] b, int i) {
        byte[] c = b.clone();
        c[i] ^= 1;
        return c;
    }

    @Test
    void aTruncatedFileIsDetectedAtEveryLength() throws IOException {
        for (int version : new int[] {1, 2}) {
            Entry[] entries = Arrays.copyOf(sample(), 2);
            byte[] good = file(version, 2, entries);
            for (int n = 0; n < good.length; n++) {
                IllegalArgumentException e = refused(Arrays.copyOf(good, n));
                assertNotNull(e.getMessage(), "version " + version + ", " + n + " bytes");
            }
            byte[] longer = Arrays.copyOf(good, good.length + 3);
            refused(longer);
        }
    }

    @Test
    void aDamagedHeaderIsRefusedBeforeAnythingIsAllocated() throws IOException {
        // each file has a valid checksum, so only the header checks can catch it; 2^40 floats would need 4 TiB
        String type = refused(file(2, 1, new Entry("x", "FLOAT16", new long[] {1}, floats(1)))).getMessage();
        assertTrue(type.contains("unknown data type 'FLOAT16'") && type.contains("'x'"), type);
        String neg = refused(file(2, 1, new Entry("x", "FLOAT", new long[] {2, -3}, floats(1)))).getMessage();
        assertTrue(neg.contains("negative size -3"), neg);
        String absurd = refused(file(2, 1, new Entry("x", "FLOAT", new long[] {1L << 20, 1L << 20}, floats(1)))).getMessage();
        assertTrue(absurd.contains("1099511627776 elements") && absurd.contains("bytes are left"), absurd);
        String overflow = refused(file(2, 1, new Entry("x", "DOUBLE", new long[] {1L << 62, 1L << 62}, doubles(1)))).getMessage();
        assertTrue(overflow.contains("more than 2^63"), overflow);
        String rank = refused(file(2, 1, new Entry("x", "FLOAT", new long[9], new byte[0]))).getMessage();
        assertTrue(rank.contains("rank 9"), rank);
        String count = refused(file(2, -1)).getMessage();
        assertTrue(count.contains("-1 entries"), count);
        String twice = refused(file(2, 2, new Entry("x", "FLOAT", new long[] {1}, floats(1)),
                new Entry("x", "FLOAT", new long[] {1}, floats(2)))).getMessage();
        assertTrue(twice.contains("twice"), twice);
        String longV1 = refused(file(1, 1, new Entry("x", "LONG", new long[] {1}, longs(1)))).getMessage();
        assertTrue(longV1.contains("unknown data type 'LONG'"), longV1);
        String version = refused(file(3, 0)).getMessage();
        assertTrue(version.contains("version 3"), version);
        assertTrue(refused("hello".getBytes()).getMessage().contains("magic"));
    }

    @Test
    void unsupportedArraysAreRefusedOnWriteAndNothingIsLeftBehind() throws IOException {
        Path f = dir.resolve("int.bmck");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.write(Map.of("i", Nd4j.createFromArray(1, 2)), f));
        assertTrue(e.getMessage().contains("INT"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void loadingIntoAModelWithOtherNamesOrShapesIsRefusedAndChangesNothing() throws IOException {
        MLP a = new MLP(new long[] {3, 4, 2}, Activation.TANH, DataType.DOUBLE, 1);
        Path f = dir.resolve("mlp.bmck");
        Checkpoint.save(a, f);
        MLP wider = new MLP(new long[] {3, 5, 2}, Activation.TANH, DataType.DOUBLE, 2);
        INDArray before = wider.parameters().get(0).value().dup();
        String shape = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(wider, f)).getMessage();
        assertTrue(shape.contains("[3, 4]") && shape.contains("[3, 5]"), shape);
        assertEquals(before, wider.parameters().get(0).value(), "nothing changed");
        MLP deeper = new MLP(new long[] {3, 4, 4, 2}, Activation.TANH, DataType.DOUBLE, 2);
        String names = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(deeper, f)).getMessage();
        assertTrue(names.contains("missing"), names);
        MLP floats = new MLP(new long[] {3, 4, 2}, Activation.TANH, DataType.FLOAT, 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(floats, f)).getMessage()
                .contains("FLOAT"));
    }
}
