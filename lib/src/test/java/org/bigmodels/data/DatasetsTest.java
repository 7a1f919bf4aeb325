package org.bigmodels.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tech.tablesaw.api.Table;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void rootIsFoundFromTheModuleFolder() {
        Path root = Datasets.root();
        assertTrue(Files.isRegularFile(root.resolve("SOURCES.md")), root.toString());
        assertEquals("datasets", root.getFileName().toString());
    }

    @Test
    void codeTableEqualsSourcesMd() throws IOException {
        Map<String, SourcesTable.Row> rows = SourcesTable.rows();
        assertEquals(DatasetFile.values().length, rows.size(), "rows in SOURCES.md: " + rows.keySet());
        for (DatasetFile f : DatasetFile.values()) {
            SourcesTable.Row row = rows.get(f.path());
            assertTrue(row != null, f.path() + " is in DatasetFile but not in SOURCES.md");
            assertEquals(row.size(), f.size(), f.path());
            assertEquals(row.sha256(), f.sha256(), f.path());
        }
    }

    @Test
    void everyFileOnDiskMatchesItsTable() throws IOException {
        for (DatasetFile f : DatasetFile.values()) {
            Path path = Datasets.path(f);
            assertEquals(f.size(), Files.size(path), f.path());
        }
    }

    @Test
    void corruptedCopyIsRejectedWithBothHashes() throws IOException {
        DatasetFile f = DatasetFile.IRIS;
        Path copy = dir.resolve(f.path());
        Files.createDirectories(copy.getParent());
        byte[] bytes = Files.readAllBytes(SourcesTable.file(f.path()));
        bytes[100] ^= 1;
        Files.write(copy, bytes);

        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.verified(dir, f));
        String m = e.getMessage();
        assertTrue(m.contains(copy.toString()), m);
        assertTrue(m.contains("expected sha256 " + f.sha256()), m);
        assertTrue(m.contains(Datasets.sha256(copy)), m);
        assertTrue(m.contains("git checkout -- datasets/sklearn/iris.csv"), m);
    }

    @Test
    void intactCopyIsAccepted() throws IOException {
        DatasetFile f = DatasetFile.DIGITS_DESCRIPTION;
        Path copy = dir.resolve(f.path());
        Files.createDirectories(copy.getParent());
        Files.copy(SourcesTable.file(f.path()), copy);
        assertEquals(copy.toAbsolutePath().normalize(), Datasets.verified(dir, f));
    }

    @Test
    void missingFileIsNamed() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.verified(dir, DatasetFile.MNIST_TEST_LABELS));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("mnist/t10k-labels-idx1-ubyte.gz").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("git checkout -- datasets/mnist/t10k-labels-idx1-ubyte.gz"), e.getMessage());
    }

    @Test
    void propertyPointingNowhereIsExplained() {
        String old = System.getProperty(Datasets.PROPERTY);
        System.setProperty(Datasets.PROPERTY, dir.resolve("nowhere").toString());
        try {
            DatasetException e = assertThrows(DatasetException.class, Datasets::root);
            assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains(Datasets.PROPERTY), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Datasets.PROPERTY);
            } else {
                System.setProperty(Datasets.PROPERTY, old);
            }
        }
    }

    @Test
    void summaryCoversEveryDatasetAndAllBytes() throws IOException {
        Table summary = Datasets.summary();
        assertEquals(Arrays.stream(DatasetFile.values()).map(DatasetFile::dataset).collect(Collectors.toSet()),
                new HashSet<>(summary.stringColumn("dataset").asList()));
        long onDisk = 0;
        for (DatasetFile f : DatasetFile.values()) {
            onDisk += Files.size(SourcesTable.file(f.path()));
        }
        assertEquals(onDisk, summary.longColumn("bytes").sum(), 0.0);
        int mnist = summary.stringColumn("dataset").indexOf("mnist");
        assertEquals(70000L, summary.longColumn("records").get(mnist));
    }
}
