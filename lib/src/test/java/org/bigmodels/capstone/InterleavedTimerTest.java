package org.bigmodels.capstone;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The timer on a fake clock: every computation runs once to warm up then once per round, the order rotates, medians. */
class InterleavedTimerTest {
    @Test
    void warmsUpRotatesAndReportsEachMedian() {
        long[] now = {0};
        List<String> calls = new ArrayList<>();
        Map<String, Runnable> work = new LinkedHashMap<>();
        // "a" costs 1, 2, 3, 4, 5 ms in successive calls (warm-up included), "b" always 10 ms, "c" 7 ms then 100 once
        int[] aCalls = {0}, cCalls = {0};
        work.put("a", () -> { calls.add("a"); now[0] += 1_000_000L * ++aCalls[0]; });
        work.put("b", () -> { calls.add("b"); now[0] += 10_000_000L; });
        work.put("c", () -> { calls.add("c"); now[0] += ++cCalls[0] == 3 ? 100_000_000L : 7_000_000L; });
        Map<String, Double> ms = new InterleavedTimer(() -> now[0]).medianMillis(work, 3);
        assertEquals(List.of("a", "b", "c", "a", "b", "c", "b", "c", "a", "c", "a", "b"), calls,
                "one warm-up call each, then rounds whose first computation rotates");
        assertEquals(3.0, ms.get("a"), 1e-12, "a's timed calls took 2, 3, 4 ms: median 3");
        assertEquals(10.0, ms.get("b"), 1e-12);
        assertEquals(7.0, ms.get("c"), 1e-12, "the one 100 ms round is ignored by the median");
        assertEquals(2.5, InterleavedTimer.median(new double[] {4, 1, 2, 3}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new InterleavedTimer().medianMillis(work, 0));
        assertThrows(IllegalArgumentException.class, () -> new InterleavedTimer().medianMillis(Map.of(), 3));
    }

    @Test
    void tooManyRoundsAndNullsAreRefusedBeforeAllocating() {
        Map<String, Runnable> two = new LinkedHashMap<>();
        two.put("a", () -> { });
        two.put("b", () -> { });
        // 2e9 rounds used to allocate two double[2e9] arrays (OutOfMemoryError)
        var e = assertThrows(IllegalArgumentException.class, () -> new InterleavedTimer().medianMillis(two, 2_000_000_000));
        assertTrue(e.getMessage().contains("2000000000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InterleavedTimer().medianMillis(null, 3));
        Map<String, Runnable> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        var n = assertThrows(IllegalArgumentException.class, () -> new InterleavedTimer().medianMillis(withNull, 3));
        assertTrue(n.getMessage().contains("computation a is null"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InterleavedTimer(null));
    }
}
