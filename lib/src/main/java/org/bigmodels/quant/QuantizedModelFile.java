package org.bigmodels.quant;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A quantized MLP on disk. Format (big-endian, {@link DataOutputStream}):
 *
 * <pre>
 * "BMQF" (4 bytes), version int = 1, model: UTF "mlp", int L+1 sizes (int each), UTF activation name,
 * int entries; per entry: UTF name, byte kind, int rank, rank x long shape, then
 *   kind 0 FLOAT32:  numel x float
 *   kind 1 UNIFORM:  byte bits, byte signed, int axis, int groupSize, int count, count x double scale,
 *                    count x int zero point, ceil(numel*bits/8) bytes: (q - qmin) packed LSB-first at bits each
 *   kind 2 KMEANS:   byte bits, 2^bits x double centroid, ceil(numel*bits/8) bytes: indices packed likewise
 * long CRC32 of every byte before it.
 * </pre>
 *
 * Saving writes a temporary file and renames it (never a half-written file); loading checks the magic, the version,
 * the length and the checksum before parsing, and rejects truncated or corrupted files with an {@link
 * IllegalArgumentException} saying which. The round trip is exact (scales are stored as doubles).
 */
public final class QuantizedModelFile {
    private static final int VERSION = 1;
    private final long[] sizes;
    private final Activation activation;
    private final Map<String, Object> entries = new LinkedHashMap<>();

    private QuantizedModelFile(long[] sizes, Activation activation) {
        this.sizes = sizes;
        this.activation = activation;
    }

    /** The MLP's weights quantized by q (biases kept float32). */
    public static QuantizedModelFile of(MLP model, Quantizer q) {
        QuantizedModelFile f = new QuantizedModelFile(model.sizes(), model.activation());
        model.namedParameters().forEach((name, t) -> f.entries.put(name, name.endsWith("weight")
                ? QuantizedTensor.of(t.value(), q.calibrate(t.value())) : t.value().castTo(DataType.FLOAT).dup()));
        return f;
    }

    /** The MLP's weights as k-means codebooks of 2^bits centroids (biases kept float32). */
    public static QuantizedModelFile ofKMeans(MLP model, int bits, int iterations) {
        QuantizedModelFile f = new QuantizedModelFile(model.sizes(), model.activation());
        model.namedParameters().forEach((name, t) -> f.entries.put(name, name.endsWith("weight")
                ? KMeansCodebook.fit(t.value(), bits, iterations) : t.value().castTo(DataType.FLOAT).dup()));
        return f;
    }

    /** Entries by parameter name: {@link QuantizedTensor}, {@link KMeansCodebook} or a FLOAT INDArray. */
    public Map<String, Object> entries() {
        return java.util.Collections.unmodifiableMap(entries);
    }

    /** A float MLP with the dequantized weights. */
    public MLP toMLP() {
        MLP m = new MLP(sizes, activation, DataType.FLOAT, 0);
        m.namedParameters().forEach((name, t) -> {
            Object e = entries.get(name);
            if (e == null) throw new IllegalArgumentException("QuantizedModelFile: no entry for parameter " + name);
            INDArray v = e instanceof QuantizedTensor q ? q.dequantize()
                    : e instanceof KMeansCodebook c ? c.decode() : (INDArray) e;
            t.value().assign(v);
        });
        return m;
    }

    /** Float32 bytes of the same parameters (4 per value). */
    public long float32Bytes() {
        long n = 0;
        for (Object e : entries.values()) n += 4 * numel(shapeOf(e));
        return n;
    }

    /**
     * Writes the file atomically (a temporary file in the same directory, then a rename; on failure the temporary
     * file is deleted and nothing is left behind). @return its size in bytes
     *
     * @throws IllegalArgumentException if path is an existing directory
     * @throws UncheckedIOException     if the file cannot be written (the message names the path and the cause)
     */
    public long save(Path path) {
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("QuantizedModelFile: expected a file path to save to, got the existing "
                    + "directory " + path + "; pass a file name inside it, e.g. " + path.resolve("model.bmqf"));
        }
        byte[] body = encode();
        Path tmp = null;
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
            Files.write(tmp, body);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return body.length;
        } catch (IOException e) {
            throw new UncheckedIOException("QuantizedModelFile: could not write " + path + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the original error is the one to report
                }
            }
        }
    }

    /**
     * Reads a file written by {@link #save}.
     *
     * @throws IllegalArgumentException if it is a directory, not such a file, is truncated, or its checksum does not
     *                                  match
     * @throws UncheckedIOException     if it does not exist ("does not exist") or cannot be read
     */
    public static QuantizedModelFile load(Path path) {
        if (!Files.exists(path)) {
            throw new UncheckedIOException(new java.io.FileNotFoundException("QuantizedModelFile: " + path
                    + " does not exist (absolute path " + path.toAbsolutePath() + "); save a model there first or "
                    + "check the path"));
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("QuantizedModelFile: expected a quantized model file, got the directory "
                    + path + "; pass the path of a file written by save");
        }
        byte[] b;
        try {
            b = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("QuantizedModelFile: could not read " + path + ": " + e, e);
        }
        if (b.length < 16 || !new String(b, 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("BMQF")) {
            throw new IllegalArgumentException("QuantizedModelFile: " + path + " is not a quantized model file (no BMQF "
                    + "magic, " + b.length + " bytes)" + (b.length < 16 ? "; it may be truncated" : ""));
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        long stored = java.nio.ByteBuffer.wrap(b, b.length - 8, 8).getLong();
        if (crc.getValue() != stored) {
            throw new IllegalArgumentException("QuantizedModelFile: " + path + " is truncated or corrupted: CRC32 of the "
                    + "content is " + Long.toHexString(crc.getValue()) + ", the file says " + Long.toHexString(stored)
                    + " (" + b.length + " bytes); save the model again");
        }
        try {
            return decode(new DataInputStream(new ByteArrayInputStream(b, 4, b.length - 12)));
        } catch (EOFException e) {
            throw new IllegalArgumentException("QuantizedModelFile: " + path + " is truncated (its content ends early)", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("QuantizedModelFile: " + path + " is corrupted: " + e.getMessage(), e);
        }
    }

    private byte[] encode() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.writeBytes("BMQF");
            out.writeInt(VERSION);
            out.writeUTF("mlp");
            out.writeInt(sizes.length);
            for (long s : sizes) out.writeInt(Math.toIntExact(s));
            out.writeUTF(activation.name());
            out.writeInt(entries.size());
            for (var e : entries.entrySet()) {
                out.writeUTF(e.getKey());
                Object v = e.getValue();
                long[] shape = shapeOf(v);
                out.writeByte(v instanceof QuantizedTensor ? 1 : v instanceof KMeansCodebook ? 2 : 0);
                out.writeInt(shape.length);
                for (long d : shape) out.writeLong(d);
                if (v instanceof QuantizedTensor q) {
                    QuantParams p = q.params();
                    out.writeByte(p.bits());
                    out.writeByte(p.format().isSigned() ? 1 : 0);
                    out.writeInt(p.axis());
                    out.writeInt(p.groupSize());
                    out.writeInt(p.count());
                    for (double s : p.scales()) out.writeDouble(s);
                    for (int z : p.zeroPoints()) out.writeInt(z);
                    int[] ints = q.ints().data().asInt();
                    for (int k = 0; k < ints.length; k++) ints[k] -= p.format().qmin();
                    out.write(pack(ints, p.bits()));
                } else if (v instanceof KMeansCodebook c) {
                    out.writeByte(c.bits());
                    for (double d : c.centroids()) out.writeDouble(d);
                    out.write(pack(c.indices(), c.bits()));
                } else {
                    for (float f : ((INDArray) v).dup('c').data().asFloat()) out.writeFloat(f);
                }
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bos.toByteArray());
            out.writeLong(crc.getValue());
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static QuantizedModelFile decode(DataInputStream in) throws IOException {
        int version = in.readInt();
        if (version != VERSION) throw new IOException("version " + version + ", this library reads version " + VERSION);
        if (!in.readUTF().equals("mlp")) throw new IOException("not an MLP model");
        long[] sizes = new long[in.readInt()];
        for (int i = 0; i < sizes.length; i++) sizes[i] = in.readInt();
        QuantizedModelFile f = new QuantizedModelFile(sizes, Activation.valueOf(in.readUTF()));
        int n = in.readInt();
        for (int e = 0; e < n; e++) {
            String name = in.readUTF();
            int kind = in.readByte();
            long[] shape = new long[in.readInt()];
            for (int i = 0; i < shape.length; i++) shape[i] = in.readLong();
            int numel = Math.toIntExact(numel(shape));
            if (kind == 1) {
                int bits = in.readByte();
                IntFormat fmt = in.readByte() == 1 ? IntFormat.signed(bits) : IntFormat.unsigned(bits);
                int axis = in.readInt(), group = in.readInt(), count = in.readInt();
                double[] s = new double[count];
                int[] z = new int[count];
                for (int i = 0; i < count; i++) s[i] = in.readDouble();
                for (int i = 0; i < count; i++) z[i] = in.readInt();
                int[] q = unpack(in, numel, bits);
                for (int k = 0; k < q.length; k++) q[k] += fmt.qmin();
                QuantParams p = axis < 0 ? QuantParams.perTensor(s[0], z[0], fmt) : group == 0
                        ? QuantParams.perChannel(s, z, axis, fmt) : QuantParams.perGroup(s, z, axis, group, fmt);
                f.entries.put(name, new QuantizedTensor(p, Nd4j.createFromArray(q).reshape('c', shape)));
            } else if (kind == 2) {
                int bits = in.readByte();
                double[] c = new double[1 << bits];
                for (int i = 0; i < c.length; i++) c[i] = in.readDouble();
                f.entries.put(name, KMeansCodebook.of(c, unpack(in, numel, bits), shape, bits));
            } else if (kind == 0) {
                float[] v = new float[numel];
                for (int i = 0; i < numel; i++) v[i] = in.readFloat();
                f.entries.put(name, Nd4j.create(v, shape, 'c'));
            } else {
                throw new IOException("unknown entry kind " + kind + " for " + name);
            }
        }
        return f;
    }

    static byte[] pack(int[] v, int bits) {
        byte[] out = new byte[(int) (((long) v.length * bits + 7) / 8)];
        long bit = 0;
        for (int x : v) {
            for (int b = 0; b < bits; b++, bit++) if (((x >> b) & 1) != 0) out[(int) (bit >> 3)] |= (byte) (1 << (bit & 7));
        }
        return out;
    }

    static int[] unpack(DataInputStream in, int n, int bits) throws IOException {
        byte[] buf = new byte[(int) (((long) n * bits + 7) / 8)];
        in.readFully(buf);
        int[] v = new int[n];
        long bit = 0;
        for (int k = 0; k < n; k++) {
            for (int b = 0; b < bits; b++, bit++) if ((buf[(int) (bit >> 3)] >> (bit & 7) & 1) != 0) v[k] |= 1 << b;
        }
        return v;
    }

    private static long[] shapeOf(Object e) {
        return e instanceof QuantizedTensor q ? q.shape() : e instanceof KMeansCodebook c ? c.shape() : ((INDArray) e).shape();
    }

    private static long numel(long[] shape) {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }
}
