package org.bigmodels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Lesson references that cannot drift: every "NN-name" in the library's sources (doc comments say "Taught in
 * 03-mlp-mnist") must name a notebook in {@code notebooks/} or a lesson of the course map. A typo or a renamed
 * lesson fails here, naming the file and the line.
 */
class LessonReferencesTest {

    /**
     * The planned lessons 00-18, copied from the course map ({@code shared/COURSE-MAP.md}, which a clone may not
     * have). Notebooks that exist are read from {@code notebooks/} as well, so a new lesson needs no edit here.
     */
    static final Set<String> PLANNED = Set.of(
            "00-welcome", "01-tensors", "02-backprop-from-scratch", "03-mlp-mnist", "04-tiny-gpt",
            "05-data-parallel", "06-parameter-servers-and-async", "07-dl4j-parallelwrapper", "08-pipeline-parallel",
            "09-tensor-parallel", "10-memory-and-zero", "11-spark-scale-out", "12-weight-pruning",
            "13-structured-pruning", "14-post-training-quantization", "15-quantization-aware-training",
            "16-distillation", "17-capstone-compression", "18-from-tensorflow-and-pytorch");

    /** Two digits, a hyphen, then lower-case words joined by hyphens: 03-mlp-mnist, 10-memory-and-zero. */
    static final Pattern REFERENCE = Pattern.compile("(?<![\\w.-])(\\d\\d)-([a-z][a-z0-9]*(?:-[a-z0-9]+)*)");

    /**
     * A number and a unit or count word ("16-bit", "32-way", "2-layer") is not a lesson reference; nor is a
     * reference to a part of a lesson number alone. Add a word here only if it can never start a lesson name.
     */
    static final Set<String> NOT_LESSONS = Set.of("bit", "bits", "byte", "bytes", "way", "fold", "dim", "dimensional",
            "layer", "layers", "core", "cores", "thread", "threads", "step", "steps", "gram", "grams", "digit",
            "digits", "point", "element", "elements", "head", "heads", "class", "classes", "char", "chars", "epoch",
            "epochs", "token", "tokens", "node", "nodes", "worker", "workers", "gpu", "gpus", "byte-aligned");

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("lib/src/main/java"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (a folder holding lib/src/main/java) above "
                    + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Set<String> knownLessons(Path root) throws IOException {
        Set<String> known = new TreeSet<>(PLANNED);
        Path notebooks = root.resolve("notebooks");
        if (Files.isDirectory(notebooks)) {
            try (Stream<Path> files = Files.list(notebooks)) {
                files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d\\d-.+\\.ipynb"))
                        .forEach(n -> known.add(n.substring(0, n.length() - ".ipynb".length())));
            }
        }
        return known;
    }

    /** "file:line: 'ref' ..." for every reference in {@code text} that is not a known lesson. */
    static List<String> unknownReferences(String file, String text, Set<String> known) {
        List<String> bad = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = REFERENCE.matcher(lines[i]);
            while (m.find()) {
                String ref = m.group(0);
                String firstWord = m.group(2).split("-")[0];
                if (NOT_LESSONS.contains(firstWord) || known.contains(ref)) {
                    continue;
                }
                String number = m.group(1);
                String hint = known.stream().filter(k -> k.startsWith(number + "-")).findFirst()
                        .map(k -> "lesson " + number + " is '" + k + "'").orElse("no lesson " + number + " is planned");
                bad.add(file + ":" + (i + 1) + ": '" + ref + "' names no notebook and no lesson of the course map ("
                        + hint + ")");
            }
        }
        return bad;
    }

    @Test
    void everyLessonReferenceInTheLibraryNamesALesson() throws IOException {
        Path root = root();
        Set<String> known = knownLessons(root);
        List<String> bad = new ArrayList<>();
        int references = 0;
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root.resolve("lib/src/main/java"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        for (Path source : sources) {
            String text = Files.readString(source, StandardCharsets.UTF_8);
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                references++;
            }
            bad.addAll(unknownReferences(root.relativize(source).toString(), text, known));
        }
        assertTrue(references > 20, "expected the library's doc comments to name lessons, found " + references
                + " references; is the pattern broken?");
        assertTrue(bad.isEmpty(), "lesson references that name no lesson (fix the comment, or the lesson list in "
                + "LessonReferencesTest.PLANNED if the course map changed):\n" + String.join("\n", bad));
    }

    @Test
    void theCheckCatchesATypoAndARenamedLesson() {
        Set<String> known = Set.of("03-mlp-mnist", "10-memory-and-zero");
        String text = "/**\n * Taught in 03-mlp-mnsit.\n * Sharded in 10-memory-and-zero, see 10-zero.\n"
                + " * A 16-bit float, 4-way split; version 1.03-beta; file 2024-01-05.\n */";
        List<String> bad = unknownReferences("X.java", text, known);
        assertEquals(2, bad.size(), String.join("\n", bad));
        assertTrue(bad.get(0).startsWith("X.java:2: '03-mlp-mnsit'"), bad.get(0));
        assertTrue(bad.get(0).contains("lesson 03 is '03-mlp-mnist'"), bad.get(0));
        assertTrue(bad.get(1).startsWith("X.java:3: '10-zero'"), bad.get(1));
    }

    @Test
    void thePlannedListAgreesWithTheCourseMapWhenItIsThere() throws IOException {
        // shared/ sits beside the clone, or a level or two higher for a git worktree
        Path map = null;
        for (Path dir = root().getParent(); dir != null && map == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("COURSE-MAP.md");
            map = Files.isRegularFile(candidate) ? candidate : null;
        }
        if (map == null) {
            return; // a clone without the course map: the embedded list stands
        }
        Set<String> fromMap = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\|\\s*(\\d\\d)\\s*\\|\\s*([a-z0-9-]+)\\s*\\|").matcher(Files.readString(map));
        while (m.find()) {
            fromMap.add(m.group(1) + "-" + m.group(2));
        }
        assertEquals(19, fromMap.size(), "lessons read from " + map + ": " + fromMap);
        assertEquals(new TreeSet<>(PLANNED), fromMap, "the course map " + map + " changed; update LessonReferencesTest.PLANNED");
    }
}
