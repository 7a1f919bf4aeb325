package org.bigmodels.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format MNIST is stored in: a big-endian magic number (0x0000, type 0x08 = unsigned byte,
 * number of dimensions), one big-endian int per dimension, then the bytes. Gzipped files are unpacked
 * on the fly. Everything is read in one bulk call, which is what keeps full MNIST under a second.
 * Notebook: 00-welcome.
 */
public final class IdxReader {

    /** Magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns). */
    public static final int IMAGES_MAGIC = 2051;
    /** Magic number of a label file: unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 2049;

    private static final int UNSIGNED_BYTE = 0x08;

    private IdxReader() {
    }

    /**
     * The content of one IDX file.
     *
     * @param magic the magic number read, e.g. 2051
     * @param shape the dimensions, outermost first
     * @param data  the values, row-major, as unsigned bytes stored in Java bytes (use {@code b & 0xFF});
     *              not copied, as it can be 47 MB
     */
    public record Idx(int magic, int[] shape, byte[] data) {
        public Idx {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of records: the first dimension. */
        public int count() {
            return shape[0];
        }

        /** Values per record: the product of the other dimensions (784 for MNIST images, 1 for labels). */
        public int recordSize() {
            int size = 1;
            for (int i = 1; i < shape.length; i++) {
                size *= shape[i];
            }
            return size;
        }

        @Override
        public String toString() {
            return "Idx[magic=" + magic + ", shape=" + Arrays.toString(shape) + "]";
        }
    }

    /** Reads an image file (magic 2051); throws {@link DatasetException} if it holds anything else. */
    public static Idx readImages(Path path) {
        return read(path, IMAGES_MAGIC);
    }

    /** Reads a label file (magic 2049); throws {@link DatasetException} if it holds anything else. */
    public static Idx readLabels(Path path) {
        return read(path, LABELS_MAGIC);
    }

    /**
     * Reads any unsigned-byte IDX file, gzipped (detected from its first two bytes) or not.
     *
     * @param expectedMagic the magic number the caller needs, or 0 to accept any unsigned-byte IDX file
     */
    public static Idx read(Path path, int expectedMagic) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(new DataInputStream(in), path, expectedMagic);
        } catch (EOFException e) {
            throw new DatasetException("IDX file " + path + " is truncated: it ends inside its header. "
                    + "Restore it from the course checkout (see datasets/SOURCES.md).", e);
        } catch (IOException e) {
            throw new DatasetException("Cannot read IDX file " + path + ": " + e.getMessage(), e);
        }
    }

    private static Idx read(DataInputStream in, Path path, int expectedMagic) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF;
        int dims = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dims < 1 || dims > 4) {
            throw new DatasetException("Not an unsigned-byte IDX file: " + path + " starts with magic " + magic
                    + " (0x" + Integer.toHexString(magic) + "); expected 0x0000 08 0d, e.g. " + IMAGES_MAGIC
                    + " for images or " + LABELS_MAGIC + " for labels.");
        }
        if (expectedMagic != 0 && magic != expectedMagic) {
            throw new DatasetException("Wrong IDX file: " + path + " has magic " + magic + " but " + expectedMagic
                    + " was expected (" + IMAGES_MAGIC + " = images, " + LABELS_MAGIC + " = labels). "
                    + "Check that images and labels were not swapped.");
        }
        int[] shape = new int[dims];
        long total = 1;
        for (int i = 0; i < dims; i++) {
            shape[i] = in.readInt();
            if (shape[i] < 0) {
                throw new DatasetException("IDX file " + path + " declares a negative dimension " + shape[i]
                        + " at position " + i + "; the file is damaged.");
            }
            total *= shape[i];
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new DatasetException("IDX file " + path + " declares " + total + " values, more than one Java array holds.");
        }
        byte[] data = in.readNBytes((int) total);
        if (data.length < total) {
            throw new DatasetException("IDX file " + path + " is truncated: its header " + Arrays.toString(shape)
                    + " promises " + total + " bytes of data but only " + data.length + " follow. "
                    + "Restore it from the course checkout (see datasets/SOURCES.md).");
        }
        if (in.read() >= 0) {
            throw new DatasetException("IDX file " + path + " has bytes after the " + total + " its header "
                    + Arrays.toString(shape) + " promises; the file is damaged or not IDX.");
        }
        return new Idx(magic, shape, data);
    }
}
