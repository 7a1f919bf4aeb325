package org.bigmodels.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** An IDX file written by hand, byte by byte, as the format describes it. */
    private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path path = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(path)) : Files.newOutputStream(path)) {
            out.write(content);
        }
        return path;
    }

    @Test
    void readsTinyGzippedImageFile() throws IOException {
        byte[] pixels = {0, 1, 2, 3, 4, 5, (byte) 250, (byte) 251, (byte) 252, (byte) 253, (byte) 254, (byte) 255};
        Path path = write("tiny-images.gz", idx(2051, new int[]{2, 2, 3}, pixels), true);

        IdxReader.Idx idx = IdxReader.readImages(path);

        assertEquals(2051, idx.magic());
        assertArrayEquals(new int[]{2, 2, 3}, idx.shape());
        assertEquals(2, idx.count());
        assertEquals(6, idx.recordSize());
        assertArrayEquals(pixels, idx.data());
        assertEquals(255, idx.data()[11] & 0xFF);
    }

    @Test
    void readsUncompressedLabelFile() throws IOException {
        Path path = write("tiny-labels", idx(2049, new int[]{3}, new byte[]{7, 0, 9}), false);
        IdxReader.Idx idx = IdxReader.readLabels(path);
        assertArrayEquals(new int[]{3}, idx.shape());
        assertArrayEquals(new byte[]{7, 0, 9}, idx.data());
    }

    @Test
    void badMagicIsNamed() throws IOException {
        Path path = write("bad.gz", idx(0x12345678, new int[]{}, new byte[0]), true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(path, 0));
        assertTrue(e.getMessage().contains("305419896"), e.getMessage());
        assertTrue(e.getMessage().contains("bad.gz"), e.getMessage());
    }

    @Test
    void labelsWhereImagesWereExpectedAreRejected() throws IOException {
        Path path = write("labels.gz", idx(2049, new int[]{1}, new byte[]{1}), true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));
        assertTrue(e.getMessage().contains("has magic 2049 but 2051 was expected"), e.getMessage());
    }

    @Test
    void truncatedDataIsReported() throws IOException {
        byte[] whole = idx(2051, new int[]{2, 2, 2}, new byte[8]);
        Path path = write("short.gz", Arrays.copyOf(whole, whole.length - 3), true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));
        assertTrue(e.getMessage().contains("promises 8 bytes of data but only 5 follow"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path path = write("header.gz", Arrays.copyOf(idx(2051, new int[]{2, 2, 2}, new byte[0]), 6), true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(path));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
