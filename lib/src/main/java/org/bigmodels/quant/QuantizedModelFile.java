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
import org.bigmodels.nn.MLP;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A quantized MLP on disk. Format version 2 (big-endian, {@link DataOutputStream}):
 *
 * <pre>
 * "BMQF" (4 bytes), version int = 2, model: UTF "mlp", int L+1 sizes (int each), UTF activation name,
 * int entries; per entry: UTF name, byte kind, int rank, rank x long shape, then by kind &amp; 0x0F:
 *   0 FLOAT32:  (header: nothing)                                                   payload element: float
 *   1 UNIFORM:  byte bits, byte signed, int axis, int groupSize, int count, count x double scale,
 *               count x int zero point                                              payload element: q - qmin at bits
 *   2 KMEANS:   byte bits, 2^bits x double centroid                                 payload element: index at bits
 * then, if kind &amp; 0x10 (SPARSE) is clear, the payload of all numel elements (c order); FLOAT32 as numel floats,
 * UNIFORM and KMEANS as ceil(numel*bits/8) bytes packed LSB-first at bits each;
 * if SPARSE is set, only the elements that are not the entry's zero are stored:
 *   int stored, int slots, ceil(slots*4/8) bytes of 4-bit relative index codes (packed like the payload),
 *   then the payload of the stored elements only (stored floats, or ceil(stored*bits/8) packed bytes).
 * long CRC32 of every byte before it.
 * </pre>
 *
 * <b>The sparse entry</b> is the relative index of Han et al. 2016 ("Deep Compression", section 2 and figure 2,
 * where it takes 8 bits in conv layers and 5 in fully connected ones): instead of the position of each non-zero, the
 * writer stores the number of zeros skipped since the previous stored element, in 4 bits (the course's choice). A code g in 0..14 means "skip g zeros, then one stored element"; the code 15 is a filler
 * ("skip 15 zeros, store nothing"), so a gap of g zeros costs floor(g / 15) fillers. Zeros after the last stored
 * element cost nothing. The "zero" of an entry is the code that dequantizes to exactly 0: the float +0.0 (bit pattern
 * 0), the zero point of the element's slice for UNIFORM, the first centroid equal to 0.0 for KMEANS (none: nothing is
 * omitted). Each entry (biases too) is written sparse exactly when that is smaller than dense, so a pruned model
 * saves bytes and a dense one costs nothing extra. Per entry, with s stored elements and f fillers:
 * dense payload = ceil(numel*b/8) bytes (4*numel for FLOAT32), sparse = 8 + ceil((s+f)*4/8) + ceil(s*b/8) (8 + ceil((s+f)/2) + 4s).
 *
 * <p>Version-1 files (the same layout without the SPARSE flag) are still read. Saving writes a temporary file and
 * renames it (never a half-written file); loading checks the magic, the version, the length and the checksum before
 * parsing, and rejects truncated or corrupted files with an {@link IllegalArgumentException} saying which. A file is
 * accepted only if its entries are exactly the parameters of the MLP its sizes describe ("2i.weight" [in, out] and
 * "2i.bias" [out] per layer i, each once, of exactly that shape), every count it claims (sizes, scales, centroids,
 * elements, index slots) fits in the bytes left in the file before anything of that size is allocated, its sparse
 * entries claim at most {@link #MAX_SPARSE_ELEMENTS} elements together, and every value it decodes to is finite
 * (NaN and infinities are refused at {@link #of} and at save too). The round
 * trip is exact (scales and centroids are stored as doubles; every integer code and float bit pattern comes back).
 */
public final class QuantizedModelFile {
    /** The version this class writes; it reads this one and version 1. */
    public static final int VERSION = 2;
    /** The kind flag of a sparse entry (relative index, see the class doc). */
    static final int SPARSE = 0x10;
    /** Bits of one relative-index code; the largest code is the filler. */
    public static final int INDEX_BITS = 4;
    private static final int FILLER = (1 << INDEX_BITS) - 1;
    /**
     * The most elements all sparse entries of one file may claim together (2^26, 28 times a 784-1200-1200-10 MLP):
     * a sparse entry's trailing zeros cost no bytes, so its size is not bounded by the file's length.
     */
    public static final int MAX_SPARSE_ELEMENTS = 1 << 26;
    private final long[] sizes;
    private final Activation activation;
    private final Map<String, Object> entries = new LinkedHashMap<>();

    private QuantizedModelFile(long[] sizes, Activation activation) {
        this.sizes = sizes;
        this.activation = activation;
    }

    /** The MLP's weights quantized by q (biases kept float32). */
    public static QuantizedModelFile of(MLP model, Quantizer q) {
        return of(model, w -> QuantizedTensor.of(w, q.calibrate(w)));
    }

    /** The MLP's weights as k-means codebooks of 2^bits centroids (biases kept float32). */
    public static QuantizedModelFile ofKMeans(MLP model, int bits, int iterations) {
        return of(model, w -> KMeansCodebook.fit(w, bits, iterations));
    }

    /**
     * The MLP with each weight matrix [in, out] encoded by {@code weights} (biases kept float32): the function returns
     * a {@link QuantizedTensor}, a {@link KMeansCodebook} or a float INDArray of the weight's shape, e.g. one codec
     * per layer, or a codebook that keeps pruned zeros exactly zero (so that they are stored sparse).
     *
     * @throws IllegalArgumentException if the function returns anything else or an entry of another shape, or if a
     *                                  parameter or an entry holds a NaN or an infinity (naming it and the element)
     */
    public static QuantizedModelFile of(MLP model, java.util.function.Function<INDArray, Object> weights) {
        QuantizedModelFile f = new QuantizedModelFile(model.sizes(), model.activation());
        model.namedParameters().forEach((name, t) -> {
            requireFinite("the model's parameter " + name, t.value());
            Object e = name.endsWith("weight") ? weights.apply(t.value()) : t.value().castTo(DataType.FLOAT).dup();
            if (e instanceof INDArray a) e = a.castTo(DataType.FLOAT).dup('c');
            if (!(e instanceof QuantizedTensor || e instanceof KMeansCodebook || e instanceof INDArray)) {
                throw new IllegalArgumentException("QuantizedModelFile: expected a QuantizedTensor, KMeansCodebook or "
                        + "INDArray for " + name + ", got " + (e == null ? "null" : e.getClass().getSimpleName()));
            }
            if (!Arrays.equals(shapeOf(e), t.value().shape())) {
                throw new IllegalArgumentException("QuantizedModelFile: expected an entry of shape "
                        + Arrays.toString(t.value().shape()) + " for " + name + ", got " + Arrays.toString(shapeOf(e)));
            }
            requireFinite("the entry the function returned for " + name, dense(e));
            f.entries.put(name, e);
        });
        return f;
    }

    /** Entries by parameter name: {@link QuantizedTensor}, {@link KMeansCodebook} or a FLOAT INDArray. */
    public Map<String, Object> entries() {
        return java.util.Collections.unmodifiableMap(entries);
    }

    /** The layer sizes, input first (a copy). */
    public long[] sizes() {
        return sizes.clone();
    }

    /**
     * A float MLP with the dequantized weights.
     *
     * @throws IllegalArgumentException if an entry is missing or its shape is not its parameter's (cannot happen for
     *                                  a file made by {@link #of} or accepted by {@link #load})
     */
    public MLP toMLP() {
        MLP m = new MLP(sizes, activation, DataType.FLOAT, 0);
        m.namedParameters().forEach((name, t) -> {
            Object e = entries.get(name);
            if (e == null) throw new IllegalArgumentException("QuantizedModelFile: no entry for parameter " + name);
            if (!Arrays.equals(shapeOf(e), t.value().shape())) {
                throw new IllegalArgumentException("QuantizedModelFile: entry " + name + " has shape "
                        + Arrays.toString(shapeOf(e)) + ", the MLP's parameter has " + Arrays.toString(t.value().shape()));
            }
            t.value().assign(dense(e));
        });
        return m;
    }

    /** Float32 bytes of the same parameters (4 per value). */
    public long float32Bytes() {
        long n = 0;
        for (Object e : entries.values()) n += 4 * numel(shapeOf(e));
        return n;
    }

    /** The size in bytes of the file {@link #save} writes (computed by encoding, without writing). */
    public long bytes() {
        return encode().length;
    }

    /** The names of the entries that are stored sparse (their sparse encoding is smaller than the dense one). */
    public java.util.List<String> sparseEntries() {
        return entries.entrySet().stream().filter(e -> sparseIsSmaller(e.getValue())).map(Map.Entry::getKey).toList();
    }

    /**
     * Writes the file atomically (a temporary file in the same directory, then a rename; on failure the temporary
     * file is deleted and nothing is left behind). @return its size in bytes
     *
     * @throws IllegalArgumentException if path is an existing directory, or an entry holds a NaN or an infinity
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
     * Reads a file written by {@link #save} (version 2, or version 1 of an earlier library).
     *
     * @throws IllegalArgumentException if it is a directory, not such a file, is truncated, its checksum does not
     *                                  match, or its content is malformed (see the class doc: entries that are not
     *                                  exactly the MLP's parameters at their shapes, counts beyond the bytes left,
     *                                  non-finite values); the message says what was claimed and what the file holds
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
                requireFinite("entry " + e.getKey(), dense(v));
                long[] shape = shapeOf(v);
                boolean sparse = sparseIsSmaller(v);
                out.writeByte((v instanceof QuantizedTensor ? 1 : v instanceof KMeansCodebook ? 2 : 0) | (sparse ? SPARSE : 0));
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
                } else if (v instanceof KMeansCodebook c) {
                    out.writeByte(c.bits());
                    for (double d : c.centroids()) out.writeDouble(d);
                }
                int[] codes = codes(v);
                boolean[] keep = sparse ? stored(v) : null;
                if (sparse) {
                    int[] index = relativeIndex(keep);
                    int n = 0;
                    for (boolean k : keep) if (k) n++;
                    int[] kept = new int[n];
                    for (int k = 0, j = 0; k < codes.length; k++) if (keep[k]) kept[j++] = codes[k];
                    out.writeInt(n);
                    out.writeInt(index.length);
                    out.write(pack(index, INDEX_BITS));
                    codes = kept;
                }
                if (v instanceof INDArray) {
                    for (int c : codes) out.writeInt(c);    // the float's bits: writeFloat(f) writes floatToIntBits(f)
                } else {
                    out.write(pack(codes, bitsOf(v)));
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

    /** Per element (c order): the stored code: q - qmin, the centroid index, or the float's raw bits. */
    private static int[] codes(Object v) {
        if (v instanceof QuantizedTensor q) {
            int[] ints = q.ints().dup('c').data().asInt();
            for (int k = 0; k < ints.length; k++) ints[k] -= q.params().format().qmin();
            return ints;
        }
        if (v instanceof KMeansCodebook c) return c.indices();
        float[] f = ((INDArray) v).dup('c').data().asFloat();
        int[] bits = new int[f.length];
        for (int k = 0; k < f.length; k++) bits[k] = Float.floatToRawIntBits(f[k]);
        return bits;
    }

    /** The code of an omitted element at each position (c order); for KMEANS -1 when no centroid is exactly 0. */
    private static int[] zeroCodes(Object v, long[] shape) {
        if (v instanceof QuantizedTensor q) return uniformZeros(q.params(), shape);
        int[] z = new int[Math.toIntExact(numel(shape))];
        if (v instanceof KMeansCodebook c) {
            Arrays.fill(z, zeroCentroid(c.centroids()));
        }
        return z;                                   // FLOAT32: the bits of +0.0f, 0
    }

    private static int[] uniformZeros(QuantParams p, long[] shape) {
        int[] map = p.indexMap(shape), z = new int[map.length];
        for (int k = 0; k < z.length; k++) z[k] = p.zeroPoint(map[k]) - p.format().qmin();
        return z;
    }

    private static int zeroCentroid(double[] c) {
        for (int i = 0; i < c.length; i++) if (c[i] == 0.0) return i;
        return -1;
    }

    /** Which elements a sparse entry stores: those whose code is not the entry's zero. */
    private static boolean[] stored(Object v) {
        int[] codes = codes(v), zero = zeroCodes(v, shapeOf(v));
        boolean[] keep = new boolean[codes.length];
        for (int k = 0; k < codes.length; k++) keep[k] = codes[k] != zero[k];
        return keep;
    }

    /** The 4-bit relative index of the stored positions: a gap g < 15 then an element, or a filler (15, no element). */
    static int[] relativeIndex(boolean[] keep) {
        java.util.List<Integer> codes = new java.util.ArrayList<>();
        int gap = 0;
        for (boolean k : keep) {
            if (!k) {
                gap++;
                continue;
            }
            while (gap >= FILLER) {
                codes.add(FILLER);
                gap -= FILLER;
            }
            codes.add(gap);
            gap = 0;
        }
        return codes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean sparseIsSmaller(Object v) {
        if (v instanceof KMeansCodebook c && zeroCentroid(c.centroids()) < 0) return false;
        boolean[] keep = stored(v);
        long n = 0;
        for (boolean k : keep) if (k) n++;
        long slots = relativeIndex(keep).length;
        return 8 + (slots * INDEX_BITS + 7) / 8 + payloadBytes(v, n) < payloadBytes(v, keep.length);
    }

    private static long payloadBytes(Object v, long elements) {
        return v instanceof INDArray ? 4 * elements : (elements * bitsOf(v) + 7) / 8;
    }

    private static int bitsOf(Object v) {
        return v instanceof QuantizedTensor q ? q.params().bits() : v instanceof KMeansCodebook c ? c.bits() : 32;
    }

    private static QuantizedModelFile decode(DataInputStream in) throws IOException {
        int version = in.readInt();
        if (version != 1 && version != VERSION) {
            throw new IOException("version " + version + ", this library reads versions 1 and " + VERSION);
        }
        if (!in.readUTF().equals("mlp")) throw new IOException("not an MLP model");
        int count = in.readInt();
        if (count < 2 || 4L * count > in.available()) {
            throw new IOException("the header claims " + count + " layer sizes (" + 4L * count + " bytes), the file "
                    + "holds " + in.available() + " bytes after it (an MLP has at least 2 sizes)");
        }
        long[] sizes = new long[count];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = in.readInt();
            if (sizes[i] < 1) throw new IOException("layer size " + i + " is " + sizes[i] + ", expected >= 1");
        }
        QuantizedModelFile f = new QuantizedModelFile(sizes, Activation.valueOf(in.readUTF()));
        Map<String, long[]> expected = parameterShapes(sizes);
        int n = in.readInt();
        if (n != expected.size()) {
            throw new IOException("the file holds " + n + " entries, a " + Arrays.toString(sizes) + " MLP has "
                    + expected.size() + " parameters " + expected.keySet());
        }
        long sparseElements = 0;
        for (int e = 0; e < n; e++) {
            String name = in.readUTF();
            int kindByte = in.readByte();
            boolean sparse = (kindByte & SPARSE) != 0;
            int kind = kindByte & ~SPARSE;
            if (sparse && version == 1) throw new IOException("sparse entry " + name + " in a version-1 file");
            int rank = in.readInt();
            if (rank < 0 || rank > 8) throw new IOException("entry " + name + " has rank " + rank);
            long[] shape = new long[rank];
            for (int i = 0; i < shape.length; i++) shape[i] = in.readLong();
            long[] want = expected.get(name);
            if (want == null) {
                throw new IOException("entry " + name + " is not a parameter of a " + Arrays.toString(sizes)
                        + " MLP (its parameters: " + expected.keySet() + ")");
            }
            if (f.entries.containsKey(name)) throw new IOException("entry " + name + " appears twice");
            if (!Arrays.equals(shape, want)) {
                throw new IOException("entry " + name + " has shape " + Arrays.toString(shape) + ", the "
                        + Arrays.toString(sizes) + " MLP's parameter has " + Arrays.toString(want));
            }
            long numelLong = numel(shape);
            if (numelLong > Integer.MAX_VALUE) {
                throw new IOException("entry " + name + " claims " + numelLong + " elements, more than the "
                        + Integer.MAX_VALUE + " one entry can hold");
            }
            int numel = (int) numelLong;
            if (sparse && (sparseElements += numel) > MAX_SPARSE_ELEMENTS) {
                throw new IOException("the sparse entries up to " + name + " claim " + sparseElements + " elements, "
                        + "more than the " + MAX_SPARSE_ELEMENTS + " this library reads from sparse entries");
            }
            Object entry;
            if (kind == 1) {
                int bits = in.readByte();
                if (bits < 1 || bits > 16) throw new IOException("entry " + name + " has " + bits + " bits");
                IntFormat fmt = in.readByte() == 1 ? IntFormat.signed(bits) : IntFormat.unsigned(bits);
                int axis = in.readInt(), group = in.readInt(), scales = in.readInt();
                if (scales < 1 || scales > numel || (axis < 0 && scales != 1)) {
                    throw new IOException("entry " + name + " has " + scales + " scales for " + numel + " elements"
                            + (axis < 0 ? " (per-tensor: expected 1)" : ""));
                }
                requireBytes(in, 12L * scales, "entry " + name + " claims " + scales + " scales and zero points");
                double[] s = new double[scales];
                int[] z = new int[scales];
                for (int i = 0; i < scales; i++) s[i] = in.readDouble();
                for (int i = 0; i < scales; i++) z[i] = in.readInt();
                QuantParams p = axis < 0 ? QuantParams.perTensor(s[0], z[0], fmt) : group == 0
                        ? QuantParams.perChannel(s, z, axis, fmt) : QuantParams.perGroup(s, z, axis, group, fmt);
                p.indexMap(shape);
                int[] q = payload(in, sparse, numel, () -> uniformZeros(p, shape), bits, name);
                for (int k = 0; k < q.length; k++) q[k] += fmt.qmin();
                entry = new QuantizedTensor(p, Nd4j.createFromArray(q).reshape('c', shape));
            } else if (kind == 2) {
                int bits = in.readByte();
                if (bits < 1 || bits > 8) throw new IOException("entry " + name + " has " + bits + " bits");
                requireBytes(in, 8L << bits, "entry " + name + " claims " + (1 << bits) + " centroids");
                double[] c = new double[1 << bits];
                for (int i = 0; i < c.length; i++) {
                    c[i] = in.readDouble();
                    if (!(Math.abs(c[i]) <= Float.MAX_VALUE)) {
                        throw new IOException("entry " + name + " has centroid " + i + " = " + c[i] + ", expected a "
                                + "finite value within the float range");
                    }
                }
                int zc = zeroCentroid(c);
                if (sparse && zc < 0) throw new IOException("sparse entry " + name + " has no zero centroid");
                entry = KMeansCodebook.of(c, payload(in, sparse, numel, () -> filled(numel, zc), bits, name), shape, bits);
            } else if (kind == 0) {
                int[] raw = payload(in, sparse, numel, () -> new int[numel], 32, name);
                float[] v = new float[numel];
                for (int i = 0; i < numel; i++) v[i] = Float.intBitsToFloat(raw[i]);
                entry = Nd4j.create(v, shape, 'c');
            } else {
                throw new IOException("unknown entry kind " + kindByte + " for " + name);
            }
            try {
                requireFinite("entry " + name, dense(entry));
            } catch (IllegalArgumentException x) {
                throw new IOException(x.getMessage().replace("QuantizedModelFile: ", ""));
            }
            f.entries.put(name, entry);
        }
        if (in.available() != 0) throw new IOException(in.available() + " bytes left after the last entry");
        return f;
    }

    /** The parameters of an MLP of these sizes and their shapes: "2i.weight" [in, out], "2i.bias" [out]. */
    private static Map<String, long[]> parameterShapes(long[] sizes) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            m.put(2 * i + ".weight", new long[] {sizes[i], sizes[i + 1]});
            m.put(2 * i + ".bias", new long[] {sizes[i + 1]});
        }
        return m;
    }

    private static int[] filled(int n, int value) {
        int[] z = new int[n];
        Arrays.fill(z, value);
        return z;
    }

    /** Refuses a claim of more bytes than the file has left (checked before anything of that size is allocated). */
    private static void requireBytes(DataInputStream in, long bytes, String claim) throws IOException {
        if (bytes > in.available()) {
            throw new IOException(claim + " (" + bytes + " bytes), the file holds only " + in.available()
                    + " bytes after it");
        }
    }

    /** @throws IllegalArgumentException naming what and the first element (c order) that is NaN or infinite */
    private static void requireFinite(String what, INDArray a) {
        double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int k = 0; k < v.length; k++) {
            if (!Double.isFinite(v[k])) {
                throw new IllegalArgumentException("QuantizedModelFile: " + what + " holds " + v[k] + " at element " + k
                        + " (c order); expected finite values (a diverged training run or a corrupted file)");
            }
        }
    }

    /**
     * The codes of all elements: read densely, or scattered from the sparse relative index onto the zero codes. Every
     * claimed count is checked against the bytes left before the arrays are allocated.
     */
    private static int[] payload(DataInputStream in, boolean sparse, int numel, java.util.function.Supplier<int[]> zero,
                                 int bits, String name) throws IOException {
        if (!sparse) {
            requireBytes(in, bits == 32 ? 4L * numel : ((long) numel * bits + 7) / 8,
                    "entry " + name + " claims " + numel + " elements at " + bits + " bits");
            return bits == 32 ? readInts(in, numel) : unpack(in, numel, bits);
        }
        int stored = in.readInt(), slots = in.readInt();
        if (stored < 0 || stored > numel || slots < stored) {
            throw new IOException("sparse entry " + name + " claims " + stored + " stored elements in " + slots
                    + " index slots for " + numel + " elements (expected 0 <= stored <= elements, slots >= stored)");
        }
        requireBytes(in, ((long) slots * INDEX_BITS + 7) / 8 + (bits == 32 ? 4L * stored : ((long) stored * bits + 7) / 8),
                "sparse entry " + name + " claims " + slots + " index slots and " + stored + " stored elements");
        int[] index = unpack(in, slots, INDEX_BITS);
        int[] values = bits == 32 ? readInts(in, stored) : unpack(in, stored, bits);
        int[] out = zero.get();
        long pos = -1;
        int j = 0;
        for (int code : index) {
            if (code == FILLER) {
                pos += FILLER;
                continue;
            }
            pos += code + 1;
            if (j >= stored) {
                throw new IOException("sparse entry " + name + ": its index has more element codes than the " + stored
                        + " stored elements");
            }
            if (pos >= numel) {
                throw new IOException("sparse entry " + name + ": its index runs past " + numel + " elements");
            }
            out[(int) pos] = values[j++];
        }
        if (j != stored) throw new IOException("sparse entry " + name + ": index has " + j + " elements, header " + stored);
        return out;
    }

    private static int[] readInts(DataInputStream in, int n) throws IOException {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = in.readInt();
        return v;
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

    private static INDArray dense(Object e) {
        return e instanceof QuantizedTensor q ? q.dequantize() : e instanceof KMeansCodebook c ? c.decode() : (INDArray) e;
    }

    private static long[] shapeOf(Object e) {
        return e instanceof QuantizedTensor q ? q.shape() : e instanceof KMeansCodebook c ? c.shape() : ((INDArray) e).shape();
    }

    /** The product of the dimensions; Long.MAX_VALUE when it overflows a long. */
    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }
}
