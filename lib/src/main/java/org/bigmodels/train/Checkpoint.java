package org.bigmodels.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saves and loads a model's named parameters. Written to a temporary file in the same folder and renamed into
 * place, so a crash never leaves a half-written checkpoint. No Java serialization: the format is simple enough to
 * read from any language. All numbers big-endian ({@link DataOutputStream}):
 * <pre>
 *   magic   4 bytes  "BMCK"
 *   version int      1
 *   count   int      number of tensors
 *   count times:
 *     name   UTF     (2-byte length, then modified UTF-8), the parameter's dotted path
 *     dtype  UTF     "FLOAT" or "DOUBLE"
 *     rank   int, then rank longs: the shape
 *     data   the elements in row-major order, as float32 or float64
 * </pre>
 */
public final class Checkpoint {
    private static final byte[] MAGIC = {'B', 'M', 'C', 'K'};
    private static final int VERSION = 1;

    private Checkpoint() {}

    /** Writes every parameter of the model to {@code file} (atomically). */
    public static void save(Module model, Path file) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        model.namedParameters().forEach((n, t) -> values.put(n, t.value()));
        write(values, file);
    }

    /** Writes named arrays to {@code file} (atomically). */
    public static void write(Map<String, INDArray> values, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(values.size());
                for (Map.Entry<String, INDArray> e : values.entrySet()) {
                    INDArray v = e.getValue();
                    if (v.dataType() != DataType.FLOAT && v.dataType() != DataType.DOUBLE) {
                        throw new IllegalArgumentException("Checkpoint: only FLOAT and DOUBLE arrays are stored, got "
                                + v.dataType() + " for " + e.getKey());
                    }
                    out.writeUTF(e.getKey());
                    out.writeUTF(v.dataType().name());
                    out.writeInt(v.rank());
                    for (long s : v.shape()) out.writeLong(s);
                    INDArray c = v.dup('c');
                    if (v.dataType() == DataType.FLOAT) {
                        for (float f : c.data().asFloat()) out.writeFloat(f);
                    } else {
                        for (double d : c.data().asDouble()) out.writeDouble(d);
                    }
                }
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

    /** Reads named arrays from a checkpoint file. */
    public static Map<String, INDArray> read(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = in.readNBytes(4);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("Checkpoint: " + file + " is not a checkpoint (expected the magic "
                        + "bytes BMCK, got " + Arrays.toString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("Checkpoint: " + file + " has format version " + version
                        + ", this library reads version " + VERSION);
            }
            int count = in.readInt();
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                DataType type = DataType.valueOf(in.readUTF());
                long[] shape = new long[in.readInt()];
                long n = 1;
                for (int d = 0; d < shape.length; d++) n *= (shape[d] = in.readLong());
                if (type == DataType.FLOAT) {
                    float[] data = new float[Math.toIntExact(n)];
                    for (int j = 0; j < data.length; j++) data[j] = in.readFloat();
                    out.put(name, Nd4j.create(data, shape, 'c'));
                } else {
                    double[] data = new double[Math.toIntExact(n)];
                    for (int j = 0; j < data.length; j++) data[j] = in.readDouble();
                    out.put(name, Nd4j.create(data, shape, 'c'));
                }
            }
            return out;
        } catch (EOFException e) {
            throw new IllegalArgumentException("Checkpoint: " + file + " ends early (truncated or not a checkpoint)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Checkpoint: could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a checkpoint into a model with the same parameter names and shapes. Nothing is changed unless every
     * parameter matches.
     */
    public static void load(Module model, Path file) {
        Map<String, INDArray> values = read(file);
        Map<String, Tensor> params = model.namedParameters();
        if (!values.keySet().equals(params.keySet())) {
            throw new IllegalArgumentException("Checkpoint: " + file + " holds parameters " + values.keySet()
                    + " but the model has " + params.keySet());
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
        params.forEach((n, p) -> p.value().assign(values.get(n)));
    }
}
