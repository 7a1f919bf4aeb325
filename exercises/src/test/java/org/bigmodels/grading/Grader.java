package org.bigmodels.grading;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the {@link Graded} tests and prints a score table, grouped by lesson.
 *
 * <pre>
 * Grader [--expect-pass | --expect-fail] [--label NAME] [--summary-file PATH] [LESSON...]
 * </pre>
 *
 * A LESSON is written as its number ({@code 1}, {@code 01}), or its notebook's name ({@code 01-tensors}); the
 * exercises of lesson 01 are the graded tests with ids "01.k", in package {@code org.bigmodels.exercises.lesson01}.
 * With {@code -Dgrading.notebooks=DIR} the table names each lesson after its notebook in DIR ({@code NN-name.ipynb}).
 *
 * Default mode grades: a test scores its points when it passes. {@code --expect-pass} is the check run on the
 * solutions (every test must pass); {@code --expect-fail} is the non-vacuous check run on the untouched stubs
 * (every test must fail, or it could never tell a wrong answer from a right one).
 * Each test runs under a time limit in its own thread (see junit-platform.properties), so an exception or an
 * endless loop fails that test only. With {@code --summary-file PATH} it writes "PASSED FAILED" there, where
 * PASSED counts the tests that met the expectation (read by {@code ./course test}).
 * Exit status: 0 when every test met the expectation, 1 otherwise, 2 on a usage error or when there is nothing to grade.
 */
public final class Grader {

    private static final String PACKAGE = System.getProperty("grading.package", "org.bigmodels.exercises");
    private static final String TIMEOUT = System.getProperty("grading.timeout", "60 s");
    private static final String NOT_IMPLEMENTED = "not implemented yet";
    private static final String NOTEBOOKS = System.getProperty("grading.notebooks", "");
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("(\\d\\d)\\.[1-9]\\d*");

    enum Mode { GRADE, EXPECT_PASS, EXPECT_FAIL }

    record Entry(String uniqueId, String id, String lesson, int points, String title, String where) {}

    record Outcome(boolean passed, String message) {}

    private Grader() {
    }

    private static String summaryFile;

    public static void main(String[] args) {
        PrintStream out = System.out;
        Mode mode = Mode.GRADE;
        String label = "exercises";
        Set<String> lessons = new TreeSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--expect-pass" -> mode = Mode.EXPECT_PASS;
                case "--expect-fail" -> mode = Mode.EXPECT_FAIL;
                case "--label" -> label = args[++i];
                case "--summary-file" -> summaryFile = args[++i];
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("grader: unknown option " + args[i]);
                        System.exit(2);
                    }
                    lessons.add(normalizeLesson(args[i]));
                }
            }
        }
        int status;
        try {
            status = run(out, mode, label, lessons);
        } catch (Throwable t) {
            out.println("grader: internal error: " + oneLine(t));
            t.printStackTrace(out);
            summary(0, 1);
            status = 1;
        }
        out.flush();
        // Exit even if a runaway test thread is still spinning.
        Runtime.getRuntime().halt(status);
    }

    private static void summary(int passed, int failed) {
        if (summaryFile == null) {
            return;
        }
        try {
            Path target = Path.of(summaryFile).toAbsolutePath();
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(tmp, passed + " " + failed + "\n");
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("grader: cannot write " + summaryFile + ": " + e);
        }
    }

    /** "1", "01", "lesson1", "01-tensors" all mean lesson "01"; anything else is kept as written (and rejected). */
    static String normalizeLesson(String arg) {
        String a = arg.trim().replaceFirst("^lesson", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,2})(-.*)?").matcher(a);
        return m.matches() ? String.format("%02d", Integer.parseInt(m.group(1))) : arg;
    }

    static int run(PrintStream out, Mode mode, String label, Set<String> lessons) {
        Launcher launcher = LauncherFactory.create();

        // First discover everything graded, to know which lessons exist.
        TestPlan all = launcher.discover(request(Set.of()));
        List<String> misfiled = new ArrayList<>();
        List<Entry> allEntries = entries(all, misfiled);
        if (!misfiled.isEmpty()) {
            out.println("grader: graded tests with a malformed id or in the wrong lesson's package:");
            misfiled.forEach(m -> out.println("  " + m));
            summary(0, 1);
            return 2;
        }
        Set<String> known = new TreeSet<>();
        allEntries.forEach(e -> known.add(e.lesson()));
        if (allEntries.isEmpty()) {
            out.println("grader: no graded tests found in package " + PACKAGE);
            summary(0, 1);
            return 2;
        }
        for (String l : lessons) {
            if (!known.contains(l)) {
                List<String> valid = new ArrayList<>();
                known.forEach(k -> valid.add(lessonName(k)));
                out.println("grader: no graded exercises for lesson '" + l + "'; lessons with graded exercises: "
                        + String.join(", ", valid) + ". Grade one with e.g. ./course grade " + known.iterator().next()
                        + ", or all with ./course grade");
                summary(0, 1);
                return 2;
            }
        }

        TestPlan plan = lessons.isEmpty() ? all : launcher.discover(request(lessons));
        List<Entry> entries = entries(plan, new ArrayList<>());

        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        Map<String, String> skipped = new ConcurrentHashMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                results.put(id.getUniqueId(), result);
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                skipped.put(id.getUniqueId(), reason == null ? "skipped" : reason);
            }
        };
        String aborted = null;
        try {
            launcher.execute(plan, listener);
        } catch (Throwable t) {
            // An unrecoverable error (e.g. OutOfMemoryError) stops JUnit; the tests it did not reach fail.
            aborted = "grading stopped: " + oneLine(t);
        }

        Map<Entry, Outcome> outcomes = new LinkedHashMap<>();
        for (Entry e : entries) {
            outcomes.put(e, outcome(plan, e, results, skipped, aborted));
        }
        return report(out, mode, label, lessons, outcomes);
    }

    private static LauncherDiscoveryRequest request(Set<String> lessons) {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(PACKAGE))
                .filters(TagFilter.includeTags(Graded.TAG))
                .configurationParameter("junit.jupiter.execution.timeout.default", TIMEOUT)
                .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD");
        if (!lessons.isEmpty()) {
            b.filters((PostDiscoveryFilter) descriptor -> {
                Optional<Graded> g = graded(descriptor.getSource().orElse(null));
                if (g.isEmpty()) {
                    return FilterResult.included("container");
                }
                return FilterResult.includedIf(lessons.contains(lessonOf(g.get())), () -> "in lesson",
                        () -> "other lesson");
            });
        }
        return b.build();
    }

    /** The graded tests of a plan, sorted by id, then class, then declaration order in the source; a test whose id is malformed or names another lesson than its
     *  package goes to {@code misfiled} instead. */
    private static List<Entry> entries(TestPlan plan, List<String> misfiled) {
        List<Entry> list = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier t : plan.getDescendants(root)) {
                if (!t.isTest()) {
                    continue;
                }
                TestSource src = t.getSource().orElse(null);
                Optional<Graded> g = graded(src);
                if (g.isEmpty()) {
                    continue;
                }
                MethodSource ms = (MethodSource) src;
                String title = g.get().title().isBlank() ? ms.getMethodName() : g.get().title();
                String where = ms.getJavaClass().getSimpleName() + "." + ms.getMethodName();
                String pkg = ms.getJavaClass().getPackageName();
                String expected = pkg.replaceFirst(".*\\.lesson(\\d\\d)$", "$1");
                if (!ID.matcher(g.get().id()).matches() || !lessonOf(g.get()).equals(expected)) {
                    misfiled.add(where + ": id \"" + g.get().id() + "\" in package " + pkg + "; expected \"LL.k\" with LL"
                            + " the lesson of package ...exercises.lessonLL");
                    continue;
                }
                list.add(new Entry(t.getUniqueId(), g.get().id(), lessonOf(g.get()), g.get().points(), title, where));
            }
        }
        Map<String, Integer> order = new ConcurrentHashMap<>();
        for (Entry e : list) {
            order.put(e.uniqueId(), declarationIndex(plan, e));
        }
        list.sort(Comparator.comparing((Entry e) -> idKey(e.id()))
                .thenComparing(e -> e.where().substring(0, e.where().indexOf('.')))
                .thenComparing(e -> order.get(e.uniqueId()))
                .thenComparing(Entry::where));
        return list;
    }

    /** The graded tests live in exercises/src/test/java (the solutions module compiles the same directory). */
    private static final String TEST_SOURCES = "exercises/src/test/java";

    /** Where a test method is declared in its source file (a character offset), so the table lists the tests of an
     *  exercise in the order their author wrote them; Integer.MAX_VALUE when the source is not found. */
    private static int declarationIndex(TestPlan plan, Entry e) {
        TestIdentifier t = plan.getTestIdentifier(e.uniqueId());
        if (!(t.getSource().orElse(null) instanceof MethodSource ms)) {
            return Integer.MAX_VALUE;
        }
        String source = sourceOf(ms.getJavaClass());
        if (source == null) {
            return Integer.MAX_VALUE;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\\bvoid\\s+" + java.util.regex.Pattern.quote(ms.getMethodName()) + "\\s*\\(").matcher(source);
        return m.find() ? m.start() : Integer.MAX_VALUE;
    }

    private static final Map<Class<?>, String> SOURCES = new ConcurrentHashMap<>();

    /** The text of a test class's source file, looked up from the notebooks directory's parent (the course root)
     *  and upwards from the compiled class's location; null when not found. */
    private static String sourceOf(Class<?> c) {
        Class<?> top = c;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        Class<?> key = top;
        return SOURCES.computeIfAbsent(key, k -> {
            String rel = TEST_SOURCES + "/" + k.getName().replace('.', '/') + ".java";
            List<Path> roots = new ArrayList<>();
            if (!NOTEBOOKS.isBlank()) {
                roots.add(Path.of(NOTEBOOKS).toAbsolutePath().getParent());
            }
            try {
                for (Path p = Path.of(k.getProtectionDomain().getCodeSource().getLocation().toURI()); p != null;
                        p = p.getParent()) {
                    roots.add(p);
                }
            } catch (Exception | LinkageError ignored) {
                // no code source: only the notebooks' parent is tried
            }
            for (Path root : roots) {
                if (root == null) {
                    continue;
                }
                Path f = root.resolve(rel);
                if (Files.isRegularFile(f)) {
                    try {
                        return Files.readString(f);
                    } catch (IOException ignored) {
                        // try the next root
                    }
                }
            }
            return "";
        }).transform(s -> s.isEmpty() ? null : s);
    }

    private static Optional<Graded> graded(TestSource src) {
        if (!(src instanceof MethodSource ms)) {
            return Optional.empty();
        }
        try {
            Method m = ms.getJavaMethod();
            return AnnotationSupport.findAnnotation(m, Graded.class);
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    static String lessonOf(Graded g) {
        int dot = g.id().indexOf('.');
        return dot < 0 ? g.id() : g.id().substring(0, dot);
    }

    /** "01" becomes "01-tensors" when the notebooks directory has 01-tensors.ipynb; else it stays "01". */
    static String lessonName(String lesson) {
        if (!NOTEBOOKS.isBlank()) {
            try (var files = Files.list(Path.of(NOTEBOOKS))) {
                Optional<String> name = files.map(f -> f.getFileName().toString())
                        .filter(f -> f.startsWith(lesson + "-") && f.endsWith(".ipynb"))
                        .map(f -> f.substring(0, f.length() - ".ipynb".length())).sorted().findFirst();
                if (name.isPresent()) {
                    return name.get();
                }
            } catch (IOException | RuntimeException e) {
                // no notebooks directory: the number alone names the lesson
            }
        }
        return lesson;
    }

    /** Sorts "2.10" after "2.9". */
    private static String idKey(String id) {
        StringBuilder sb = new StringBuilder();
        for (String piece : id.split("\\.")) {
            sb.append(piece.matches("\\d+") ? String.format("%06d", Integer.parseInt(piece)) : piece).append('.');
        }
        return sb.toString();
    }

    private static Outcome outcome(TestPlan plan, Entry e, Map<String, TestExecutionResult> results,
                                   Map<String, String> skipped, String aborted) {
        TestExecutionResult r = results.get(e.uniqueId());
        if (r != null) {
            if (r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return new Outcome(true, "ok");
            }
            return new Outcome(false, r.getThrowable().map(Grader::describe).orElse(r.getStatus().toString()));
        }
        if (skipped.containsKey(e.uniqueId())) {
            return new Outcome(false, "skipped: " + skipped.get(e.uniqueId()));
        }
        // Not run: a class-level failure (static initializer, @BeforeAll) or an aborted run. Find the cause.
        Optional<TestIdentifier> p = plan.getTestIdentifier(e.uniqueId()) == null ? Optional.empty()
                : plan.getParent(plan.getTestIdentifier(e.uniqueId()));
        while (p.isPresent()) {
            String uid = p.get().getUniqueId();
            TestExecutionResult pr = results.get(uid);
            if (pr != null && pr.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                return new Outcome(false, pr.getThrowable().map(Grader::describe).orElse("setup failed"));
            }
            if (skipped.containsKey(uid)) {
                return new Outcome(false, "skipped: " + skipped.get(uid));
            }
            p = plan.getParent(p.get());
        }
        return new Outcome(false, aborted != null ? aborted : "did not run");
    }

    /** One line saying why a test failed; a stub's "not implemented yet: ..." wins wherever it is in the causes. */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnsupportedOperationException && c.getMessage() != null
                    && c.getMessage().startsWith(NOT_IMPLEMENTED)) {
                return trim(c.getMessage());
            }
        }
        if (t instanceof AssertionError && t.getMessage() != null) {
            return trim(t.getMessage());
        }
        return oneLine(t);
    }

    private static String oneLine(Throwable t) {
        String msg = t.getMessage();
        return trim(t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg));
    }

    /** The message on one line (whitespace runs become one space), in full: the table wraps it. */
    private static String trim(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    /** Width of the wrapped failure message printed under a failing row, and the most lines it may take. */
    private static final int WRAP = 100;
    private static final int MAX_LINES = 6;

    /** Splits {@code text} into lines of at most {@code width} characters at spaces (a longer word is cut). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            while (word.length() > width) {
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                lines.add(word.substring(0, width));
                word = word.substring(width);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Prints {@code text} wrapped and indented under a table row, at most maxLines lines (the last one says
     *  how much was left out). */
    private static void printWrapped(PrintStream out, String indent, String text, int maxLines) {
        List<String> lines = wrap(text, WRAP);
        if (lines.size() > maxLines) {
            int left = lines.size() - (maxLines - 1);
            lines = new ArrayList<>(lines.subList(0, maxLines - 1));
            lines.add("... (" + left + " more lines)");
        }
        lines.forEach(l -> out.println(indent + l));
    }

    private static int report(PrintStream out, Mode mode, String label, Set<String> lessons,
                              Map<Entry, Outcome> outcomes) {
        String header = switch (mode) {
            case GRADE -> "Grading " + label;
            case EXPECT_PASS -> "Graded tests on " + label + " (each must pass)";
            case EXPECT_FAIL -> "Graded tests on " + label + " (non-vacuous check: each must fail on the untouched stubs)";
        };
        out.println(header + (lessons.isEmpty() ? "" : ", lesson " + String.join(", ", lessons)));
        int titleWidth = Math.max(30, outcomes.keySet().stream().mapToInt(e -> e.title().length()).max().orElse(0));
        titleWidth = Math.min(titleWidth, 60);
        String fmt = "  %-6s %-" + titleWidth + "s %6s  %s%n";
        out.printf(fmt, "id", "test", "points", mode == Mode.GRADE ? "result" : "outcome");

        int got = 0;
        int max = 0;
        int met = 0;
        int unmet = 0;
        List<String> defects = new ArrayList<>();
        Map<String, int[]> byLesson = new LinkedHashMap<>();
        outcomes.keySet().forEach(e -> byLesson.computeIfAbsent(e.lesson(), k -> new int[2]));
        String current = null;
        for (Map.Entry<Entry, Outcome> me : outcomes.entrySet()) {
            Entry e = me.getKey();
            Outcome o = me.getValue();
            if (!e.lesson().equals(current)) {
                if (current != null && mode == Mode.GRADE) {
                    lessonTotal(out, fmt, current, byLesson.get(current));
                }
                current = e.lesson();
                out.println(" lesson " + lessonName(current));
            }
            int pts = o.passed() ? e.points() : 0;
            got += pts;
            max += e.points();
            int[] pp = byLesson.get(e.lesson());
            pp[0] += pts;
            pp[1] += e.points();
            boolean ok = switch (mode) {
                case GRADE, EXPECT_PASS -> o.passed();
                case EXPECT_FAIL -> !o.passed();
            };
            if (ok) {
                met++;
            } else {
                unmet++;
            }
            String result = switch (mode) {
                case GRADE -> o.passed() ? "ok" : "FAILED:";
                case EXPECT_PASS -> o.passed() ? "ok" : "FAILED:";
                case EXPECT_FAIL -> o.passed() ? "DEFECT: passes on the stub" : "fails, as it should:";
            };
            if (mode == Mode.EXPECT_FAIL && o.passed()) {
                defects.add("test " + e.id() + " " + e.where() + " passes on the untouched stub: it cannot fail");
            }
            if (mode == Mode.EXPECT_PASS && !o.passed()) {
                defects.add("test " + e.id() + " " + e.where() + " fails on the solution: " + o.message());
            }
            // A long title wraps inside its column; the first failure message is printed in full below the row.
            List<String> title = wrap(e.title(), titleWidth);
            out.printf(fmt, e.id(), title.get(0), pts + "/" + e.points(), result);
            for (String more : title.subList(1, title.size())) {
                out.println(String.format(fmt, "", more, "", "").stripTrailing());
            }
            if (!o.passed()) {
                // the learner reads the whole message (it names the misconception); the stub check needs less
                printWrapped(out, "         | ", o.message(), mode == Mode.EXPECT_FAIL ? 2 : MAX_LINES);
            }
        }
        if (mode == Mode.GRADE) {
            if (current != null) {
                lessonTotal(out, fmt, current, byLesson.get(current));
            }
            out.printf(fmt, "", "TOTAL", got + "/" + max,
                    met + " of " + outcomes.size() + " tests pass" + (got == max ? " -- all done!" : ""));
        } else {
            out.printf("  %d of %d graded tests behave as required%n", met, outcomes.size());
            defects.forEach(d -> out.println("  " + d));
        }
        summary(met, unmet);
        return unmet == 0 ? 0 : 1;
    }

    private static void lessonTotal(PrintStream out, String fmt, String lesson, int[] points) {
        out.printf(fmt, "", "lesson " + lesson + " total", points[0] + "/" + points[1], "");
    }
}
