package org.bigmodels.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lineShowsBarCountsRateTimesAndMetrics() {
        Progress p = new Progress("epoch 1", 100, now::get, new TerminalSink(out));
        for (int i = 0; i < 50; i++) {
            now.addAndGet(100 * MS);
            p.step();
        }
        p.set("loss", 0.42);
        assertEquals("epoch 1 [##########..........] 50/100 50% | 10.0 it/s | 0:05 elapsed | eta 0:05 | loss 0.4200", p.line());
    }

    @Test
    void slowLoopsShowSecondsPerStepAndHours() {
        assertEquals("2.0 s/it", Snapshot.rate(3, 6.0));
        assertEquals("1:01:01", Snapshot.clock(3661));
        assertEquals("- it/s", Snapshot.rate(0, 1));
        assertEquals("11,338,662 it/s", Snapshot.rate(113_386_622, 10));
        assertEquals("999.0 it/s", Snapshot.rate(999, 1));
        Snapshot unknownTotal = new Snapshot("read", 7, 0, 2_000 * MS, java.util.Map.of());
        assertEquals("read 7 | 3.5 it/s | 0:02 elapsed", unknownTotal.line());
    }

    @Test
    void terminalRedrawsInPlaceAtMostEvery100ms() {
        try (Progress p = new Progress("work", 1000, now::get, new TerminalSink(out))) {
            for (int i = 0; i < 1000; i++) {
                now.addAndGet(MS);
                p.step();
            }
        }
        String text = output();
        long redraws = text.chars().filter(c -> c == '\r').count();
        // 1000 steps over 1 s: the first step, then one per 100 ms, then the final state
        assertTrue(redraws >= 10 && redraws <= 12, "redraws: " + redraws + "\n" + text);
        assertTrue(text.contains("\rwork [####################] 1000/1000 100% | 1,000 it/s | 0:01 elapsed "), text);
        assertTrue(text.endsWith("\n"), text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count());
    }

    @Test
    void terminalWipesTheTailOfALongerLine() {
        TerminalSink sink = new TerminalSink(out);
        Snapshot longer = new Snapshot("x", 1, 0, MS, java.util.Map.of("a long metric name", 1.0));
        Snapshot shorter = new Snapshot("x", 2, 0, 2 * MS, java.util.Map.of());
        sink.update(longer);
        int first = output().length();
        sink.update(shorter);
        String second = output().substring(first);
        assertEquals("\r" + shorter.line() + " ".repeat(longer.line().length() - shorter.line().length()), second);
    }

    @Test
    void logWritesAboutOneLinePerTenth() {
        try (Progress p = new Progress("train", 10_000, now::get, new LogSink(out))) {
            for (int i = 0; i < 10_000; i++) {
                now.addAndGet(MS);
                p.step();
            }
        }
        List<String> lines = Arrays.asList(output().split("\n"));
        assertTrue(lines.size() >= 10 && lines.size() <= 12, lines.size() + " lines:\n" + output());
        assertTrue(lines.get(lines.size() - 1).contains("10000/10000 100%"), output());
        assertTrue(output().indexOf('\r') < 0);
    }

    @Test
    void logWritesWhenQuietForLongEvenWithoutProgressInTenths() {
        try (Progress p = new Progress("slow", 1_000_000, now::get, new LogSink(out))) {
            for (int i = 0; i < 30; i++) {
                now.addAndGet(1_000 * MS);
                p.step();
            }
        }
        long lines = output().chars().filter(c -> c == '\n').count();
        // 30 s without finishing a tenth: the first line, one per 5 s, the final one
        assertTrue(lines >= 6 && lines <= 8, lines + " lines:\n" + output());
    }

    @Test
    void rangeYieldsEachIndexAndCloses() {
        List<Integer> seen = new ArrayList<>();
        String old = System.getProperty(Progress.MODE_PROPERTY);
        PrintStream stdout = System.out;
        System.setProperty(Progress.MODE_PROPERTY, "log");
        System.setOut(out);
        try {
            for (int i : Progress.range(5, "five")) {
                seen.add(i);
            }
        } finally {
            System.setOut(stdout);
            if (old == null) {
                System.clearProperty(Progress.MODE_PROPERTY);
            } else {
                System.setProperty(Progress.MODE_PROPERTY, old);
            }
        }
        assertEquals(List.of(0, 1, 2, 3, 4), seen);
        assertTrue(output().contains("five [####################] 5/5 100%"), output());
    }

    @Test
    void badArgumentsAreExplained() {
        assertThrows(IllegalArgumentException.class, () -> Progress.of("x", -1));
        assertThrows(IllegalArgumentException.class, () -> Progress.range(-1, "x"));
        Progress p = new Progress("x", 1, now::get, new LogSink(out));
        assertThrows(IllegalArgumentException.class, () -> p.step(-2));
    }

    @Test
    void notInsideTheKernelDuringTests() {
        assertTrue(!Progress.insideKernel());
    }
}
