package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class PhaseTimerTest {

    /** A clock that returns the scripted readings in order. */
    private static LongSupplier script(long... readings) {
        int[] next = {0};
        return () -> readings[next[0]++];
    }

    @Test
    void eachPhaseGetsTheTimeBetweenItsTwoReadings() {
        // step 1: 0 -> 10 -> 40 -> 45; step 2: 100 -> 130 -> 190 -> 200 (nanoseconds)
        PhaseTimer t = new PhaseTimer(script(0, 10, 40, 45, 100, 130, 190, 200), "f", "b", "s");
        for (int step = 0; step < 2; step++) {
            t.startStep();
            t.endPhase();
            t.endPhase();
            t.endPhase();
        }
        assertEquals(2, t.steps());
        assertEquals((10 + 30) / 1e9, t.seconds("f"), 1e-18);
        assertEquals((30 + 60) / 1e9, t.seconds("b"), 1e-18);
        assertEquals((5 + 10) / 1e9, t.seconds("s"), 1e-18);
        assertEquals(145 / 1e9, t.totalSeconds(), 1e-18);
        assertEquals(45 / 1e9, t.secondsPerStep("b"), 1e-18);
        assertEquals(90.0 / 145, t.share("b"), 1e-12);
        var table = t.table("phases");
        assertEquals(List.of("f", "b", "s"), table.stringColumn("phase").asList());
        assertEquals(45e-6, table.doubleColumn("ms per step").get(1), 1e-15);
        assertEquals(100 * 90.0 / 145, table.doubleColumn("share (%)").get(1), 1e-9);
    }

    @Test
    void resetForgetsTheWarmUp() {
        PhaseTimer t = new PhaseTimer(script(0, 1000, 2000, 2003), "only");
        t.startStep();
        t.endPhase();
        t.reset();
        t.startStep();
        t.endPhase();
        assertEquals(1, t.steps());
        assertEquals(3 / 1e9, t.seconds("only"), 1e-18);
    }

    @Test
    void misuseIsAClearError() {
        PhaseTimer t = new PhaseTimer(script(0, 1, 2, 3, 4), "a", "b");
        assertThrows(IllegalStateException.class, t::endPhase);
        assertThrows(IllegalStateException.class, () -> t.secondsPerStep("a"));
        t.startStep();
        t.endPhase();
        assertThrows(IllegalStateException.class, t::startStep, "phase b still open");
        assertThrows(IllegalArgumentException.class, () -> t.seconds("c"));
        assertThrows(IllegalArgumentException.class, () -> new PhaseTimer("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> new PhaseTimer());
        assertEquals(PhaseTimer.TRAINING_PHASES, PhaseTimer.training().phases());
    }

    @Test
    void aNamedClockIsReadAndReported() {
        PhaseTimer.Clock fake = new PhaseTimer.Clock("fake", "scripted", script(5, 12, 20));
        PhaseTimer t = PhaseTimer.training(fake);
        assertEquals("fake", t.clock().name());
        t.startStep();
        t.endPhase();
        t.endPhase();
        assertThrows(IndexOutOfBoundsException.class, t::endPhase, "the fake clock holds 3 readings: one more is read");
        assertEquals(7 / 1e9, t.seconds("forward + loss"), 1e-18);
        assertEquals(8 / 1e9, t.seconds("backward"), 1e-18);
    }

    @Test
    void threadCpuTimeOnlyAtOneOpenMpThread() {
        assertTrue(PhaseTimer.Clock.choose("1", true, 2));
        assertTrue(PhaseTimer.Clock.choose(" 1 ", true, 8));
        assertFalse(PhaseTimer.Clock.choose("2", true, 2), "work on other OpenMP threads is missed by thread CPU time");
        assertFalse(PhaseTimer.Clock.choose("1", false, 2), "no CPU time support: wall time");
        assertFalse(PhaseTimer.Clock.choose(null, true, 2), "unset on 2 cores: OpenMP uses both");
        assertTrue(PhaseTimer.Clock.choose(null, true, 1));
        assertFalse(PhaseTimer.Clock.choose("many", true, 1));
    }

    @Test
    void threadCpuClockDoesNotCountSleeping() throws InterruptedException {
        PhaseTimer.Clock cpu = PhaseTimer.Clock.threadCpu();
        long c0 = cpu.read(), w0 = System.nanoTime();
        Thread.sleep(200);
        long cpuNs = cpu.read() - c0, wallNs = System.nanoTime() - w0;
        assertTrue(wallNs >= 190_000_000L, "slept " + wallNs + " ns");
        assertTrue(cpuNs < 100_000_000L, "a sleeping thread used " + cpuNs + " ns of CPU: this is not CPU time");
    }
}
