package org.bigmodels.distill;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A teacher's outputs, computed once: the teacher is frozen during distillation, so its logits for the transfer set
 * are the same at every epoch and are computed in one pass ({@link #compute}), kept in memory and optionally on disk
 * ({@link #cached}) so a notebook re-run does not pay for the teacher again.
 *
 * <p>Teachers are functions from inputs [N, in] to logits [N, C]: {@link #ofModule} for an engine model (evaluation
 * mode, no graph), {@link #ofDl4j} for a DL4J {@link MultiLayerNetwork}, from its {@code output()}.
 */
public final class TeacherOutputs {
    private static final int MAGIC = 0x4B44_4331; // "KDC1"

    private TeacherOutputs() {}

    /**
     * An engine model as a teacher: its forward in evaluation mode (dropout off) without recording a graph; the
     * logits are copied out of any arena.
     */
    public static Function<INDArray, INDArray> ofModule(Module model, Function<Tensor, Tensor> forward) {
        return x -> {
            boolean was = model.isTraining();
            model.train(false);
            try (var off = Tensor.noGrad()) {
                return forward.apply(Tensor.of(x)).value().dup('c');
            } finally {
                model.train(was);
            }
        };
    }

    /**
     * A DL4J network as a teacher. {@code net.output(x)} gives softmax probabilities p, not logits; their log,
     * {@code log p = z − log Σ exp z}, differs from the logits z by one constant per row, which softmax(·/T) ignores,
     * so the soft targets at every T are exact. A probability that underflowed to 0 in float is clamped to the
     * smallest normal float (log ≈ −87), a bound on how confident a DL4J teacher can look.
     */
    public static Function<INDArray, INDArray> ofDl4j(MultiLayerNetwork net) {
        return x -> {
            INDArray p = net.output(x, false).castTo(DataType.DOUBLE);
            return Transforms.log(Transforms.max(p, Float.MIN_NORMAL, true), false).castTo(x.dataType());
        };
    }

    /**
     * The teacher's logits [N, C] for inputs x [N, ...], in batches of {@code batch} rows (a fresh array).
     *
     * @throws IllegalArgumentException when batch &lt;= 0 or the teacher returns rows of another count
     */
    public static INDArray compute(Function<INDArray, INDArray> teacher, INDArray x, int batch) {
        if (batch <= 0) throw new IllegalArgumentException("TeacherOutputs: batch must be positive, got " + batch);
        long n = x.size(0);
        INDArray[] parts = new INDArray[(int) ((n + batch - 1) / batch)];
        for (int i = 0; i < parts.length; i++) {
            long from = (long) i * batch, to = Math.min(n, from + batch);
            INDArray xb = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
            INDArray out = teacher.apply(xb);
            if (out.rank() != 2 || out.size(0) != to - from) {
                throw new IllegalArgumentException("TeacherOutputs: expected the teacher to return logits ["
                        + (to - from) + ", C] for " + (to - from) + " inputs, got " + Arrays.toString(out.shape()));
            }
            parts[i] = out.dup('c');
        }
        return parts.length == 1 ? parts[0] : Nd4j.vstack(parts);
    }

    /**
     * {@link #compute}, cached in {@code file}: the file records a checksum (CRC32) of the inputs, the teacher's
     * {@code key} (name it after the teacher and its training, e.g. "mnist-2x1200-dropout-seed1-20ep") and a checksum
     * of the logits themselves. A file whose key or input checksum differs is recomputed and overwritten; one whose
     * logit checksum fails (a torn or edited file) too. Writes go to a temporary file moved into place, so a crash
     * never leaves a half-written cache.
     */
    public static INDArray cached(Path file, String key, Function<INDArray, INDArray> teacher, INDArray x, int batch) {
        long inputSum = checksum(x);
        INDArray hit = read(file, key, inputSum);
        // the cache stores float32: computed logits are returned as stored, so a hit and a miss give the same array
        if (hit != null) return hit.castTo(x.dataType());
        INDArray logits = compute(teacher, x, batch).castTo(DataType.FLOAT);
        write(file, key, inputSum, logits);
        return logits.castTo(x.dataType());
    }

    /**
     * The logits stored in {@code file} by {@link #cached} (or exported by the benchmark) for inputs x under
     * {@code key}, or null when the file is missing, was written for another key or other inputs, or fails its
     * checksum. Never writes: use it for a committed file that a fallback teacher must not overwrite.
     */
    public static INDArray load(Path file, String key, INDArray x) {
        return read(file, key, checksum(x));
    }

    /** CRC32 of an array's shape and float32 values (row-major). */
    static long checksum(INDArray a) {
        CRC32 crc = new CRC32();
        for (long s : a.shape()) crc.update(ByteBuffer.allocate(8).putLong(s).array());
        float[] f = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer buf = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(f);
        crc.update(buf.array());
        return crc.getValue();
    }

    private static INDArray read(Path file, String key, long inputSum) {
        if (!Files.isRegularFile(file)) return null;
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || !in.readUTF().equals(key) || in.readLong() != inputSum) return null;
            long rows = in.readLong(), cols = in.readLong(), sum = in.readLong();
            // a torn or edited header must not allocate whatever it claims: the floats must be in the file
            long expected = (long) Integer.BYTES + 2 + key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + 4L * Long.BYTES + 4L * rows * cols;
            if (rows < 0 || cols < 0 || rows * cols > Integer.MAX_VALUE || Files.size(file) != expected) return null;
            float[] f = new float[Math.toIntExact(rows * cols)];
            for (int i = 0; i < f.length; i++) f[i] = in.readFloat();
            INDArray logits = Nd4j.createFromArray(f).reshape('c', rows, cols);
            return checksum(logits) == sum ? logits : null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: recompute
        }
    }

    private static void write(Path file, String key, long inputSum, INDArray logits) {
        Path tmp = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            if (Files.isDirectory(file)) {
                throw new IOException(file + " is a directory; give the cache a file name, e.g. " + file.resolve("teacher.bin"));
            }
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            INDArray f32 = logits.castTo(DataType.FLOAT);
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(MAGIC);
                out.writeUTF(key);
                out.writeLong(inputSum);
                out.writeLong(f32.size(0));
                out.writeLong(f32.size(1));
                out.writeLong(checksum(f32));
                for (float v : f32.dup('c').data().asFloat()) out.writeFloat(v);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("TeacherOutputs: could not write the cache " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);   // never leave a half-written temporary file behind
                } catch (IOException ignored) {
                    // the original error is the one to report
                }
            }
        }
    }
}
