package org.bigmodels.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads datasets/SOURCES.md, the human-written reference the tests check the code against. */
final class SourcesTable {

    record Row(String path, long size, String sha256, String records) {
    }

    private static final Pattern ROW = Pattern.compile("^\\| *([A-Za-z0-9_./-]+) *\\| *([0-9]+) *\\| *([0-9a-f]{64}) *\\|.*\\| *([^|]*) *\\| *$");

    private SourcesTable() {
    }

    static String text() throws IOException {
        return Files.readString(Datasets.root().resolve("SOURCES.md"));
    }

    static Map<String, Row> rows() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : text().split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), new Row(m.group(1), Long.parseLong(m.group(2)), m.group(3), m.group(4).trim()));
            }
        }
        return rows;
    }

    /** The comma-separated numbers after {@code marker} in the records column of {@code path}. */
    static int[] numbersAfter(String path, String marker) throws IOException {
        String records = rows().get(path).records();
        int at = records.indexOf(marker);
        if (at < 0) {
            throw new IllegalStateException("SOURCES.md row " + path + " has no '" + marker + "': " + records);
        }
        Matcher m = Pattern.compile("[0-9]+(,[0-9]+)+").matcher(records.substring(at + marker.length()));
        if (!m.find()) {
            throw new IllegalStateException("No numbers after '" + marker + "' in " + records);
        }
        return java.util.Arrays.stream(m.group().split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static Path file(String path) {
        return Datasets.root().resolve(path);
    }
}
