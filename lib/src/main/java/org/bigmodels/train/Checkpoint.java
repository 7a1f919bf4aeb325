package org.bigmodels.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saves and loads named arrays: a model's parameters ({@link #save}, {@link #load}), or a whole training run
 * ({@link #saveTraining}, {@link #loadTraining}). Written to a temporary file in the same folder and renamed into
 * place, so a crash never leaves a half-written checkpoint. No Java serialization: the format is simple enough to
 * read from any language (the course's PyTorch fixtures are written by a Python script). Version 2, all numbers
 * big-endian ({@link DataOutputStream}, Python {@code struct '>'}):
 * <pre>
 *   magic    4 bytes  "BMCK"
 *   version  int32    2
 *   count    int32    number of entries, 0 &lt;= count &lt;= 1,000,000
 *   count times:
 *     name   UTF      uint16 byte length, then the bytes (modified UTF-8; ASCII in practice), e.g. "blocks.0.ln1.weight"
 *     dtype  UTF      "FLOAT" (float32), "DOUBLE" (float64) or "LONG" (int64)
 *     rank   int32    in [0, 8], then rank int64 sizes, each &gt;= 0
 *     data            the elements in row-major (C) order, 4 or 8 bytes each
 *   trailer  int64    CRC32 (java.util.zip.CRC32 = Python zlib.crc32) of every byte before it, in the low 32 bits
 * </pre>
 * Version 1 (the same without the trailer, FLOAT and DOUBLE only) is still read. Reading checks, in this order: the
 * magic and version; the checksum (so a damaged byte anywhere, or a truncated file, is detected before anything is
 * parsed); then every entry's header (known dtype, rank and sizes in range, no more data than the bytes left in the
 * file) before its array is allocated; and that nothing follows the last entry. Every failure is an
 * {@link IllegalArgumentException} naming the file, what was expected and what was found.
 *
 * <p>A training checkpoint is such a file with the entries {@code "model/<parameter path>"} (the weights),
 * {@code "optimizer/<key>"} (see {@link Optimizer#state}: the learning rate, Adam's moments and per-parameter step
 * counts, SGD's velocities), {@code "trainer/step"} and {@code "trainer/seed"} (LONG scalars: the global step, which
 * fixes the schedule's position and the data order, and the seed), and for a {@link Trainer#fitEpochs} run
 * {@code "trainer/batch_size"} and {@code "trainer/examples"} (LONG scalars: a resume with another batch size or
 * data set size is refused, since the step would mean another position in the data). Restored into a freshly built model, optimizer and
 * trainer, training continues bit for bit as if it had not stopped (tested).
 */
public final class Checkpoint {
    private static final byte[] MAGIC = {'B', 'M', 'C', 'K'};
    private static final int VERSION = 2;
    private static final int MAX_COUNT = 1_000_000;
    private static final int MAX_RANK = 8;
    static final String MODEL = "model/", OPTIMIZER = "optimizer/", STEP = "trainer/step", SEED = "trainer/seed",
            BATCH_SIZE = "trainer/batch_size", EXAMPLES = "trainer/examples";

    private Checkpoint() {}

    // =================================================================== model weights

    /** Writes every parameter of the model, by dotted path, to {@code file} (atomically). */
    public static void save(Module model, Path file) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        model.namedParameters().forEach((n, t) -> values.put(n, t.value()));
        write(values, file);
    }

    /**
     * Loads a checkpoint written by {@link #save} (or the weights of one written by {@link #saveTraining}) into a
     * model with the same parameter names, shapes and types. Nothing is changed unless every parameter matches.
     *
     * @throws IllegalArgumentException naming the first parameter that is missing, extra or differently shaped
     */
    public static void load(Module model, Path file) {
        Map<String, INDArray> values = read(file);
        if (values.containsKey(STEP)) values = withPrefix(values, MODEL);
        assign(model, checkWeights(model, values, file));
    }

    // =================================================================== training runs

    /**
     * Writes everything a run needs to continue exactly: the trainer's model weights, its optimizer's state and its
     * position (step, seed), in one file (atomically). The Trainer calls this itself when its config has
     * {@link TrainConfig#withCheckpoint}.
     *
     * @throws UnsupportedOperationException if the optimizer does not save its state
     */
    public static void saveTraining(Path file, Trainer trainer) {
        Map<String, Tensor> named = trainer.model().namedParameters();
        Map<String, INDArray> values = new LinkedHashMap<>();
        named.forEach((n, t) -> values.put(MODEL + n, t.value()));
        trainer.optimizer().state(named).forEach((k, v) -> values.put(OPTIMIZER + k, v));
        values.put(STEP, Nd4j.scalar((long) trainer.step()));
        values.put(SEED, Nd4j.scalar(trainer.seed()));
        if (trainer.epochBatchSize() >= 0) {
            values.put(BATCH_SIZE, Nd4j.scalar(trainer.epochBatchSize()));
            values.put(EXAMPLES, Nd4j.scalar(trainer.epochExamples()));
        }
        write(values, file);
    }

    /** {@link #saveTraining(Path, Trainer)}, checking that the trainer trains this model with this optimizer. */
    public static void saveTraining(Path file, Module model, Optimizer optimizer, Trainer trainer) {
        sameRun(model, optimizer, trainer);
        saveTraining(file, trainer);
    }

    /**
     * Restores a run written by {@link #saveTraining} into a freshly built trainer (same model architecture, same
     * kind of optimizer over {@code model.parameters()}): weights, optimizer state, step and seed. All of the file is
     * checked against the model and optimizer before anything changes. Then call the same {@code fitEpochs} /
     * {@code fitSteps} as the interrupted run: they run only the steps that are left.
     *
     * @throws IllegalArgumentException when the file is not a training checkpoint, or its names, shapes or types do
     *     not match the model or the optimizer (naming the first mismatch)
     */
    public static void loadTraining(Path file, Trainer trainer) {
        Map<String, INDArray> values = read(file);
        INDArray step = values.get(STEP), seed = values.get(SEED);
        if (step == null || seed == null || step.length() != 1 || seed.length() != 1 || step.getLong(0) < 0
                || step.getLong(0) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Checkpoint: " + file + " is not a training checkpoint (expected the "
                    + "entries " + STEP + " and " + SEED + " written by saveTraining, found " + keysSample(values)
                    + "); load model weights with Checkpoint.load");
        }
        Module model = trainer.model();
        Map<String, INDArray> weights = checkWeights(model, withPrefix(values, MODEL), file);
        try {
            trainer.optimizer().loadState(withPrefix(values, OPTIMIZER), model.namedParameters()); // checks, then sets
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Checkpoint: the optimizer state in " + file + " does not fit: "
                    + e.getMessage(), e);
        }
        INDArray batchSize = values.get(BATCH_SIZE), examples = values.get(EXAMPLES);
        if ((batchSize == null) != (examples == null) || batchSize != null
                && (batchSize.length() != 1 || examples.length() != 1 || batchSize.getLong(0) <= 0
                || examples.getLong(0) < 0)) {
            throw new IllegalArgumentException("Checkpoint: " + file + " must hold " + BATCH_SIZE + " > 0 and "
                    + EXAMPLES + " >= 0 together (written by fitEpochs) or neither, got " + batchSize + " and "
                    + examples);
        }
        assign(model, weights);
        trainer.restore((int) step.getLong(0), seed.getLong(0), batchSize == null ? -1 : batchSize.getLong(0),
                examples == null ? -1 : examples.getLong(0));
    }

    /** {@link #loadTraining(Path, Trainer)}, checking that the trainer trains this model with this optimizer. */
    public static void loadTraining(Path file, Module model, Optimizer optimizer, Trainer trainer) {
        sameRun(model, optimizer, trainer);
        loadTraining(file, trainer);
    }

    private static void sameRun(Module model, Optimizer optimizer, Trainer trainer) {
        if (trainer.model() != model || trainer.optimizer() != optimizer) {
            throw new IllegalArgumentException("Checkpoint: the trainer was built with another model or optimizer "
                    + "than the ones given; pass the trainer's own (or call the (file, trainer) form)");
        }
    }

    private static Map<String, INDArray> withPrefix(Map<String, INDArray> values, String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    private static String keysSample(Map<String, INDArray> values) {
        return values.size() <= 6 ? values.keySet().toString()
                : values.keySet().stream().limit(6).toList() + " and " + (values.size() - 6) + " more";
    }

    private static Map<String, INDArray> checkWeights(Module model, Map<String, INDArray> values, Path file) {
        Map<String, Tensor> params = model.namedParameters();
        if (!values.keySet().equals(params.keySet())) {
            Set<String> missing = new java.util.LinkedHashSet<>(params.keySet());
            missing.removeAll(values.keySet());
            Set<String> extra = new java.util.LinkedHashSet<>(values.keySet());
            extra.removeAll(params.keySet());
            throw new IllegalArgumentException("Checkpoint: " + file + " does not hold this model's parameters: "
                    + "missing " + missing + ", not in the model " + extra + " (the model has " + params.keySet()
                    + ")");
        }
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            INDArray v = values.get(e.getKey());
            Tensor p = e.getValue();
            if (!Arrays.equals(v.shape(), p.shape()) || v.dataType() != p.dataType()) {
                throw new IllegalArgumentException("Checkpoint: parameter " + e.getKey() + " is " + v.dataType()
                        + Arrays.toString(v.shape()) + " in " + file + " but " + p.dataType()
                        + Arrays.toString(p.shape()) + " in the model");
            }
        }
        return values;
    }

    private static void assign(Module model, Map<String, INDArray> values) {
        model.namedParameters().forEach((n, p) -> p.value().assign(values.get(n)));
    }

    // =================================================================== the file format

    /**
     * Writes named arrays (FLOAT, DOUBLE or LONG, rank &le; 8) to {@code file} in format version 2, atomically.
     *
     * @throws IllegalArgumentException for another data type, a rank above 8 or more than 1,000,000 entries
     * @throws UncheckedIOException when the file cannot be written (nothing is left behind)
     */
    public static void write(Map<String, INDArray> values, Path file) {
        if (values.size() > MAX_COUNT) {
            throw new IllegalArgumentException("Checkpoint: at most " + MAX_COUNT + " arrays per file, got "
                    + values.size());
        }
        for (Map.Entry<String, INDArray> e : values.entrySet()) {
            INDArray v = e.getValue();
            if (e.getKey() == null || v == null) {
                throw new IllegalArgumentException("Checkpoint: null name or array (" + e.getKey() + ")");
            }
            if (v.dataType() != DataType.FLOAT && v.dataType() != DataType.DOUBLE && v.dataType() != DataType.LONG) {
                throw new IllegalArgumentException("Checkpoint: only FLOAT, DOUBLE and LONG arrays are stored, got "
                        + v.dataType() + " for " + e.getKey() + "; convert it with castTo(...)");
            }
            if (v.rank() > MAX_RANK) {
                throw new IllegalArgumentException("Checkpoint: at most rank " + MAX_RANK + ", got " + v.rank()
                        + " for " + e.getKey());
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                CRC32 crc = new CRC32();
                DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(values.size());
                for (Map.Entry<String, INDArray> e : values.entrySet()) {
                    INDArray v = e.getValue();
                    out.writeUTF(e.getKey());
                    out.writeUTF(v.dataType().name());
                    out.writeInt(v.rank());
                    for (long s : v.shape()) out.writeLong(s);
                    writeData(out, v);
                }
                out.flush();
                new DataOutputStream(raw).writeLong(crc.getValue()); // the trailer, not part of its own checksum
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Checkpoint: could not write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the rename already happened or the folder is gone
                }
            }
        }
    }

    private static void writeData(DataOutputStream out, INDArray v) throws IOException {
        if (v.length() == 0) return;
        INDArray c = v.isView() || v.ordering() != 'c' ? v.dup('c') : v; // its buffer holds exactly its elements
        int width = v.dataType() == DataType.FLOAT ? 4 : 8;
        int n = Math.toIntExact(c.length());
        int chunk = 1 << 14;
        ByteBuffer buf = ByteBuffer.allocate(chunk * width).order(ByteOrder.BIG_ENDIAN);
        float[] f = v.dataType() == DataType.FLOAT ? c.data().asFloat() : null;
        double[] d = v.dataType() == DataType.DOUBLE ? c.data().asDouble() : null;
        long[] l = v.dataType() == DataType.LONG ? c.data().asLong() : null;
        for (int from = 0; from < n; from += chunk) {
            int k = Math.min(chunk, n - from);
            buf.clear();
            if (f != null) buf.asFloatBuffer().put(f, from, k);
            else if (d != null) buf.asDoubleBuffer().put(d, from, k);
            else buf.asLongBuffer().put(l, from, k);
            out.write(buf.array(), 0, k * width);
        }
    }

    /**
     * Reads the named arrays of a checkpoint file (version 1 or 2), in the order written; LONG entries come back as
     * LONG arrays.
     *
     * @throws IllegalArgumentException when the file is not a checkpoint, is damaged (checksum), truncated, or holds
     *     a header out of range (checked before anything is allocated)
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Map<String, INDArray> read(Path file) {
        try {
            long size = Files.size(file);
            int version;
            try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
                byte[] magic = in.readNBytes(4);
                if (!Arrays.equals(magic, MAGIC)) {
                    throw bad(file, "is not a checkpoint: expected the magic bytes BMCK, got "
                            + Arrays.toString(magic));
                }
                if (size < 12) throw bad(file, "ends early: " + size + " bytes, a header needs 12 (truncated?)");
                version = in.readInt();
            }
            if (version != 1 && version != VERSION) {
                throw bad(file, "has format version " + version + ", this library reads versions 1 and 2");
            }
            long dataEnd = size;
            if (version == 2) {
                if (size < 20) throw bad(file, "ends early: " + size + " bytes, the smallest version-2 file has 20");
                dataEnd = size - 8;
                verifyChecksum(file, dataEnd);
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                return parse(file, in, version, dataEnd);
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("Checkpoint: no file " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Checkpoint: could not read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void verifyChecksum(Path file, long dataEnd) throws IOException {
        CRC32 crc = new CRC32();
        long stored;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long left = dataEnd;
            while (left > 0) {
                int k = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (k < 0) throw bad(file, "ends early while computing its checksum (it changed while being read?)");
                crc.update(buf, 0, k);
                left -= k;
            }
            stored = new DataInputStream(in).readLong();
        }
        if (stored != crc.getValue()) {
            throw bad(file, "is damaged: its CRC32 checksum is " + String.format("0x%08x", crc.getValue())
                    + " but the trailer says " + String.format("0x%x", stored)
                    + " (a changed byte, or a truncated or partly copied file); use another copy");
        }
    }

    private static Map<String, INDArray> parse(Path file, DataInputStream in, int version, long dataEnd)
            throws IOException {
        in.skipNBytes(8);
        long pos = 12;
        int count = in.readInt();
        if (count < 0 || count > MAX_COUNT) {
            throw bad(file, "claims " + count + " entries; expected 0 to " + MAX_COUNT);
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String where = "entry " + i;
            try {
                String name = readUtf(in, file, where + " (its name)", dataEnd - pos);
                pos += 2 + utfLength(name);
                where = "entry " + i + " ('" + name + "')";
                if (out.containsKey(name)) throw bad(file, "holds the name '" + name + "' twice (" + where + ")");
                String typeName = readUtf(in, file, where + " (its data type)", dataEnd - pos);
                pos += 2 + utfLength(typeName);
                DataType type = switch (typeName) {
                    case "FLOAT" -> DataType.FLOAT;
                    case "DOUBLE" -> DataType.DOUBLE;
                    case "LONG" -> version >= 2 ? DataType.LONG : null;
                    default -> null;
                };
                if (type == null) {
                    throw bad(file, where + " has the unknown data type '" + typeName + "'; expected FLOAT, DOUBLE"
                            + (version >= 2 ? " or LONG" : " (version 1)"));
                }
                if (dataEnd - pos < 4) throw truncated(file, where);
                int rank = in.readInt();
                pos += 4;
                if (rank < 0 || rank > MAX_RANK) {
                    throw bad(file, where + " has rank " + rank + "; expected 0 to " + MAX_RANK);
                }
                if (dataEnd - pos < 8L * rank) throw truncated(file, where);
                long[] shape = new long[rank];
                long n = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readLong();
                    pos += 8;
                    if (shape[d] < 0) {
                        throw bad(file, where + " has a negative size " + shape[d] + " on axis " + d);
                    }
                    try {
                        n = Math.multiplyExact(n, shape[d]);
                    } catch (ArithmeticException overflow) {
                        n = Long.MAX_VALUE;
                    }
                }
                int width = type == DataType.FLOAT ? 4 : 8;
                long left = dataEnd - pos;
                if (n > left / width) {
                    throw bad(file, where + " has shape " + Arrays.toString(shape) + ", " + (n == Long.MAX_VALUE
                            ? "more than 2^63" : String.valueOf(n)) + " elements of " + width + " bytes, but only "
                            + left + " bytes are left in the file (a damaged header, or a truncated file)");
                }
                if (n > Integer.MAX_VALUE - 8) {
                    throw bad(file, where + " has " + n + " elements; at most " + (Integer.MAX_VALUE - 8)
                            + " per array are supported");
                }
                out.put(name, readArray(in, type, shape, (int) n));
                pos += n * width;
            } catch (EOFException e) {
                throw truncated(file, where);
            }
        }
        if (pos != dataEnd) {
            throw bad(file, "has " + (dataEnd - pos) + " unexpected bytes after its last entry (expected "
                    + count + " entries" + (version >= 2 ? " and the 8-byte checksum" : "") + ")");
        }
        return out;
    }

    private static String readUtf(DataInputStream in, Path file, String where, long left) throws IOException {
        if (left < 2) throw truncated(file, where);
        int len = in.readUnsignedShort();
        if (len > left - 2) throw truncated(file, where);
        byte[] bytes = new byte[2 + len];
        bytes[0] = (byte) (len >>> 8);
        bytes[1] = (byte) len;
        in.readFully(bytes, 2, len);
        try {
            return new DataInputStream(new ByteArrayInputStream(bytes)).readUTF();
        } catch (UTFDataFormatException e) {
            throw bad(file, where + " is not valid (modified) UTF-8");
        }
    }

    private static int utfLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 0x0001 && c <= 0x007F ? 1 : c > 0x07FF ? 3 : 2;
        }
        return n;
    }

    private static INDArray readArray(DataInputStream in, DataType type, long[] shape, int n) throws IOException {
        if (n == 0) return Nd4j.create(type, shape);
        int width = type == DataType.FLOAT ? 4 : 8;
        int chunk = 1 << 14;
        byte[] bytes = new byte[chunk * width];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        float[] f = type == DataType.FLOAT ? new float[n] : null;
        double[] d = type == DataType.DOUBLE ? new double[n] : null;
        long[] l = type == DataType.LONG ? new long[n] : null;
        for (int from = 0; from < n; from += chunk) {
            int k = Math.min(chunk, n - from);
            in.readFully(bytes, 0, k * width);
            buf.clear();
            if (f != null) buf.asFloatBuffer().get(f, from, k);
            else if (d != null) buf.asDoubleBuffer().get(d, from, k);
            else buf.asLongBuffer().get(l, from, k);
        }
        if (shape.length == 0) {
            return f != null ? Nd4j.scalar(f[0]) : d != null ? Nd4j.scalar(d[0]) : Nd4j.scalar(l[0]);
        }
        INDArray flat = f != null ? Nd4j.createFromArray(f) : d != null ? Nd4j.createFromArray(d) : Nd4j.createFromArray(l);
        return shape.length == 1 ? flat : flat.reshape('c', shape);
    }

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException("Checkpoint: " + file + " " + what);
    }

    private static IllegalArgumentException truncated(Path file, String where) {
        return bad(file, "ends early in " + where + " (truncated, or not a checkpoint)");
    }
}
