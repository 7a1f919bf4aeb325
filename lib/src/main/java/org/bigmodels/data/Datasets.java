package org.bigmodels.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Finds the course's {@code datasets/} folder and hands out files only after checking their SHA-256,
 * so a damaged download fails loudly here instead of as a strange accuracy three lessons later.
 * Nothing is ever fetched from the network. Notebook: 00-welcome.
 *
 * <p>The folder is, in order: the system property {@value #PROPERTY}, the environment variable
 * {@value #ENV}, or the first {@code datasets/} holding a {@code SOURCES.md} found walking up from the
 * working directory (notebooks run in {@code notebooks/}, tests in {@code lib/}).
 */
public final class Datasets {

    /** System property naming the datasets folder. */
    public static final String PROPERTY = "bigmodels.datasets";
    /** Environment variable naming the datasets folder. */
    public static final String ENV = "BIGMODELS_DATASETS";

    private static final String MARKER = "SOURCES.md";
    private static final Set<Path> VERIFIED = ConcurrentHashMap.newKeySet();
    private static final Map<String, String> WHAT = Map.of(
            "mnist", "handwritten digits, 28x28 grey, 10 classes",
            "fashion-mnist", "clothing photos, 28x28 grey, 10 classes (test set only)",
            "digits", "handwritten digits, 8x8, 10 classes",
            "iris", "flower measurements, 4 features, 3 classes",
            "tinyshakespeare", "Shakespeare's plays as one text file");

    private Datasets() {
    }

    /** The datasets folder; throws {@link DatasetException} saying where it looked when there is none. */
    public static Path root() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return existingFolder(Paths.get(property), "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return existingFolder(Paths.get(env), "environment variable " + ENV);
        }
        Path start = Paths.get("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("datasets");
            if (Files.isRegularFile(candidate.resolve(MARKER))) {
                return candidate;
            }
        }
        throw new DatasetException("No datasets folder found: expected a folder datasets/ containing " + MARKER
                + " in " + start + " or one of its parents. Run from inside the course checkout, or set -D"
                + PROPERTY + "=/path/to/datasets or the environment variable " + ENV + ".");
    }

    private static Path existingFolder(Path path, String from) {
        if (!Files.isDirectory(path)) {
            throw new DatasetException("The datasets folder " + path.toAbsolutePath() + " given by " + from
                    + " does not exist or is not a folder. Point it at the course's datasets/ folder.");
        }
        return path.toAbsolutePath();
    }

    /** The file in the course's datasets folder, checked against its SHA-256 on first use in this process. */
    public static Path path(DatasetFile file) {
        return verified(root(), file);
    }

    /**
     * The file under {@code root}, checked against its SHA-256 the first time this process asks for it.
     *
     * @throws DatasetException naming the file, the expected and actual hash and how to restore it
     */
    public static Path verified(Path root, DatasetFile file) {
        Path path = root.resolve(file.path()).toAbsolutePath().normalize();
        if (VERIFIED.contains(path)) {
            return path;
        }
        if (!Files.isRegularFile(path)) {
            throw new DatasetException("Dataset file missing: " + path + " (expected " + file.size()
                    + " bytes, sha256 " + file.sha256() + "). " + howToRestore(file));
        }
        String actual = sha256(path);
        if (!actual.equals(file.sha256())) {
            long size = sizeOf(path);
            throw new DatasetException("Dataset file damaged: " + path + " has sha256 " + actual
                    + " but expected sha256 " + file.sha256() + " (size " + size + " bytes, expected "
                    + file.size() + "). " + howToRestore(file));
        }
        VERIFIED.add(path);
        return path;
    }

    private static String howToRestore(DatasetFile file) {
        return "Restore it from the course checkout with `git checkout -- datasets/" + file.path()
                + "`, or copy it again from the source listed in datasets/SOURCES.md.";
    }

    /** SHA-256 of a file as lower-case hex, streamed. */
    static String sha256(Path path) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // the digest sees every byte read
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new DatasetException("Cannot read " + path + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no SHA-256", e);
        }
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * One row per dataset: name, what it is, files, records (images, rows or characters, labels not counted),
     * bytes on disk and licence. Read from the table in {@link DatasetFile}; nothing is loaded.
     */
    public static Table summary() {
        Map<String, List<DatasetFile>> byDataset = new LinkedHashMap<>();
        for (DatasetFile f : DatasetFile.values()) {
            byDataset.computeIfAbsent(f.dataset(), k -> new ArrayList<>()).add(f);
        }
        StringColumn name = StringColumn.create("dataset");
        StringColumn what = StringColumn.create("what");
        StringColumn files = StringColumn.create("files");
        LongColumn records = LongColumn.create("records");
        LongColumn bytes = LongColumn.create("bytes");
        StringColumn licence = StringColumn.create("licence");
        for (var entry : byDataset.entrySet()) {
            List<DatasetFile> list = entry.getValue();
            name.append(entry.getKey());
            what.append(WHAT.getOrDefault(entry.getKey(), ""));
            files.append(String.join(", ", list.stream().map(DatasetFile::path).toList()));
            records.append(list.stream().filter(f -> f.role() == DatasetFile.Role.DATA).mapToLong(DatasetFile::records).sum());
            bytes.append(list.stream().mapToLong(DatasetFile::size).sum());
            licence.append(list.get(0).licence());
        }
        return Table.create("datasets", name, what, files, records, bytes, licence);
    }
}
