package org.bigmodels.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every schedule is valid for every p, m; its simulated bubble and peak in-flight count match the closed forms. */
class ScheduleSimulationTest {

    @Test
    void gpipeAndOneFOneBHaveTheFormulaBubbleAndTheirPeaks() {
        for (int p = 1; p <= 6; p++) {
            for (int m = 1; m <= 13; m++) {
                double formula = (p - 1.0) / (m + p - 1.0);
                ScheduleSimulation g = ScheduleSimulation.of(new GPipeSchedule(), p, m);
                ScheduleSimulation o = ScheduleSimulation.of(new OneFOneBSchedule(), p, m);
                assertEquals(formula, ScheduleSimulation.bubbleFormula(p, m), 1e-12, "bubbleFormula p=" + p + " m=" + m);
                assertEquals(formula, g.bubble(), 1e-12, "GPipe p=" + p + " m=" + m);
                assertEquals(formula, o.bubble(), 1e-12, "1F1B p=" + p + " m=" + m);
                assertEquals(3.0 * (m + p - 1), g.makespan(), 1e-9);
                assertEquals(m, g.maxInFlight(), "GPipe holds all m");
                assertEquals(Math.min(p, m), o.maxInFlight(), "1F1B holds at most p");
                ScheduleSimulation n = ScheduleSimulation.of(new NaiveSchedule(), p, m);
                assertEquals((p - 1.0) / p, n.bubble(), 1e-12, "naive: one stage busy at a time");
            }
        }
    }

    @Test
    void interleavedIsValidForAnyPAndMAndMeetsItsFormulaWhenPDividesM() {
        for (int v = 1; v <= 3; v++) {
            for (int p = 1; p <= 6; p++) {
                for (int m = 1; m <= 17; m++) {
                    ScheduleSimulation s = ScheduleSimulation.of(new InterleavedSchedule(v), p, m);
                    // valid (no exception) for every m; when p does not divide m the last group is short and the
                    // bubble can exceed 1F1B's (Megatron-LM requires p | m for this reason)
                    if (p > 1) assertTrue(s.bubble() <= (p - 1.0) / p + 1e-9, "no worse than naive, p=" + p + " m=" + m);
                    if (m % p == 0) {
                        assertEquals(ScheduleSimulation.interleavedBubbleFormula(p, m, v), s.bubble(), 1e-9,
                                "p=" + p + " m=" + m + " v=" + v);
                    }
                }
            }
        }
    }

    @Test
    void replayOfARealStepHasTheSameComputeAndNoMoreIdle() {
        // replaying with the recorded pass times and free messages: each pass starts no later than it really did, so
        // the replayed makespan is at most the measured one and its bubble at most the measured bubble
        var cfg = new org.bigmodels.nn.GPTConfig(11, 8, 3, 2, 16, 0.0, org.nd4j.linalg.api.buffer.DataType.FLOAT, 5);
        var ids = org.nd4j.linalg.factory.Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {2, 3, 4, 5, 6,
                7, 8, 9}, {3, 4, 5, 6, 7, 8, 9, 10}, {0, 1, 2, 3, 4, 5, 6, 7}});
        for (PipelineSchedule s : List.of(new GPipeSchedule(), new OneFOneBSchedule(), new InterleavedSchedule(2))) {
            PipelineResult r = new PipelineRunner(StagedModel.of(new org.bigmodels.nn.GPT(cfg)), 2, s).step(ids, ids, 4);
            ScheduleSimulation replay = ScheduleSimulation.replay(s, 2, 4, r);
            double compute = 0;
            for (int d = 0; d < 2; d++) compute += r.computeSeconds(d);
            assertEquals(compute, java.util.Arrays.stream(replay.busy()).sum(), 1e-9, s.name() + ": same passes");
            assertTrue(replay.makespan() <= r.makespanSeconds() + 1e-9, s.name() + ": replayed makespan "
                    + replay.makespan() + " > measured " + r.makespanSeconds());
            assertTrue(replay.bubble() <= r.bubble() + 1e-9, s.name());
        }
        PipelineResult g = new PipelineRunner(StagedModel.of(new org.bigmodels.nn.GPT(cfg)), 2, new GPipeSchedule())
                .step(ids, ids, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> ScheduleSimulation.replay(new GPipeSchedule(), 2, 4, g));
        assertTrue(e.getMessage().contains("has no pass"), e.getMessage());
    }

    @Test
    void replayCpuUsesEachPassCpuTimeNotItsWallTime() {
        // a made-up GPipe step, p = 2, m = 4: every forward computed 1 ms and every backward 2 ms of CPU, but stage 1
        // lost its core part of the time (wall = 3 × CPU). With the CPU times the schedule's bubble is the closed form
        // (p-1)/(m+p-1) = 0.2; with the wall times stage 1 is 3x slower and the bubble is larger.
        int p = 2, m = 4;
        List<StageEvent> events = new ArrayList<>();
        for (int d = 0; d < p; d++) {
            long t = 0;
            for (PipelineOp op : new GPipeSchedule().ops(p, m).get(d)) {
                long cpu = op.isForward() ? 1_000_000 : 2_000_000, wall = d == 1 ? 3 * cpu : cpu;
                events.add(new StageEvent(d, op.isForward() ? StageEvent.Type.FORWARD : StageEvent.Type.BACKWARD,
                        op.toString(), t, t + wall, cpu));
                t += wall;
            }
        }
        PipelineResult r = new PipelineResult(0, events, new long[p], new int[p]);
        assertEquals(0.2, ScheduleSimulation.replayCpu(new GPipeSchedule(), p, m, r).bubble(), 1e-12);
        assertEquals(3 * (m + p - 1) * 1e-3, ScheduleSimulation.replayCpu(new GPipeSchedule(), p, m, r).makespan(), 1e-12);
        assertTrue(ScheduleSimulation.replay(new GPipeSchedule(), p, m, r).bubble() > 0.3, "wall times: stage 1 is 3x slower");
        assertEquals(m * 3e-3, r.computeCpuSeconds(0), 1e-12);
        assertEquals(m * 9e-3, r.busiestComputeSeconds(), 1e-12);
        assertEquals(m * 3e-3, r.busiestComputeCpuSeconds(), 1e-12);
        assertEquals((12.0 + 12) / (12 + 36), r.coreShare(), 1e-12, "CPU / wall over both stages");

        List<StageEvent> unmeasured = new ArrayList<>();
        for (StageEvent e : events) unmeasured.add(new StageEvent(e.stage(), e.type(), e.label(), e.startNanos(), e.endNanos()));
        PipelineResult u = new PipelineResult(0, unmeasured, new long[p], new int[p]);
        assertTrue(Double.isNaN(u.computeCpuSeconds(0)), "no CPU time recorded: NaN, not 0");
        var e = assertThrows(IllegalArgumentException.class, () -> ScheduleSimulation.replayCpu(new GPipeSchedule(), p, m, u));
        assertTrue(e.getMessage().contains("no measured CPU time"), e.getMessage());
    }

    @Test
    void aRealStepRecordsThreadCpuTimeWithinEachInterval() {
        // the worker thread's CPU time is read inside each interval's wall-clock bounds, so 0 <= CPU <= wall
        var cfg = new org.bigmodels.nn.GPTConfig(11, 8, 3, 2, 16, 0.0, org.nd4j.linalg.api.buffer.DataType.FLOAT, 5);
        var ids = org.nd4j.linalg.factory.Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {2, 3, 4, 5, 6,
                7, 8, 9}, {3, 4, 5, 6, 7, 8, 9, 10}, {0, 1, 2, 3, 4, 5, 6, 7}});
        PipelineResult r = new PipelineRunner(StagedModel.of(new org.bigmodels.nn.GPT(cfg)), 2, new OneFOneBSchedule())
                .step(ids, ids, 4);
        org.junit.jupiter.api.Assumptions.assumeTrue(StageEvent.threadCpuNanos() >= 0, "this JVM gives no thread CPU time");
        for (StageEvent ev : r.events()) {
            assertTrue(ev.cpuNanos() >= 0, "CPU time recorded for " + ev);
            assertTrue(ev.cpuNanos() <= ev.endNanos() - ev.startNanos(), "CPU time within the wall interval: " + ev);
        }
        for (int d = 0; d < 2; d++) assertTrue(r.computeCpuSeconds(d) > 0, "stage " + d + " computed");
        assertTrue(r.coreShare() > 0 && r.coreShare() <= 1, "core share " + r.coreShare());
    }

    @Test
    void invalidSchedulesAreRejectedNamingThePass() {
        PipelineSchedule missing = new PipelineSchedule() {
            public String name() { return "missing"; }
            public List<List<PipelineOp>> ops(int p, int m) {
                List<List<PipelineOp>> out = new GPipeSchedule().ops(p, m);
                out.set(1, new ArrayList<>(out.get(1).subList(0, out.get(1).size() - 1)));
                return out;
            }
        };
        var e = assertThrows(IllegalArgumentException.class, () -> ScheduleSimulation.of(missing, 2, 3));
        assertTrue(e.getMessage().contains("never runs B0"), e.getMessage());
        PipelineSchedule deadlock = new PipelineSchedule() {
            public String name() { return "backward-first"; }
            public List<List<PipelineOp>> ops(int p, int m) {
                List<List<PipelineOp>> out = new GPipeSchedule().ops(p, m);
                List<PipelineOp> last = out.get(0);
                last.add(0, last.remove(last.size() - 1));  // stage 0 starts with B0 before F0
                return out;
            }
        };
        var d = assertThrows(IllegalArgumentException.class, () -> ScheduleSimulation.of(deadlock, 2, 2));
        assertTrue(d.getMessage().contains("deadlocks"), d.getMessage());
    }
}
