package org.bigmodels.capstone;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The table's ratios against the first stage, by hand; bad rows refused. */
class CompressionStageTest {
    @Test
    void tableComparesEveryStageWithTheFirst() {
        var teacher = new CompressionStage("teacher", 0.98, 4_000_000, 20, Double.NaN, Double.NaN);
        var small = new CompressionStage("small", 0.97, 40_000, 4, 2, 5);
        Table t = CompressionStage.table("t", List.of(teacher, small));
        assertEquals("1.00", t.stringColumn(2).get(1), "98 % - 97 % = 1 point lost (positive = less accurate)");
        assertTrue(t.stringColumn(2).name().startsWith("accuracy lost"), t.stringColumn(2).name());
        assertEquals("100x", t.stringColumn(4).get(1), "4,000,000 / 40,000");
        assertEquals("10x", t.stringColumn(8).get(1), "the fastest engine (2 ms) against the teacher's 20 ms");
        assertEquals("-", t.stringColumn(6).get(0), "no sparse latency for the teacher");
        assertEquals(2.0, small.fastestMs(), 0);
        assertTrue(Double.isNaN(new CompressionStage("x", 0.5, 1, Double.NaN, Double.NaN, Double.NaN).fastestMs()));
        var e = assertThrows(IllegalArgumentException.class, () -> new CompressionStage("p", 97.0, 10, 1, 1, 1));
        assertTrue(e.getMessage().contains("not a percentage"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompressionStage("p", 0.9, 0, 1, 1, 1));
    }

    @Test
    void negativeOrInfiniteLatenciesAnEmptyTableAndNullsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CompressionStage("p", 0.9, 10, -3, 1, 1));
        assertTrue(e.getMessage().contains("-3.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompressionStage("p", 0.9, 10, 1, Double.POSITIVE_INFINITY, 1));
        assertThrows(IllegalArgumentException.class, () -> new CompressionStage(null, 0.9, 10, 1, 1, 1));
        new CompressionStage("p", 0.9, 10, Double.NaN, Double.NaN, Double.NaN);   // not measured: allowed
        var t = assertThrows(IllegalArgumentException.class, () -> CompressionStage.table("t", List.of()));
        assertTrue(t.getMessage().contains("at least one stage"), t.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CompressionStage.table("t", null));
    }
}
