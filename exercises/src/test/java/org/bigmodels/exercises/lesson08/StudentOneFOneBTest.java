package org.bigmodels.exercises.lesson08;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.grading.Graded;
import org.bigmodels.pipeline.PipelineOp;
import org.bigmodels.pipeline.ScheduleSimulation;

/**
 * Graded tests for exercise 08.1. References: the library's simulation checks validity (every pass once per stage,
 * no deadlock) and measures bubble and peak; the expected values are the closed forms (p-1)/(m+p-1) and
 * min(p-d, m), written here independently.
 */
class StudentOneFOneBTest {

    @Graded(id = "08.1", points = 3, title = "valid: every micro-batch forward and backward once per stage, no deadlock")
    void validForManyPAndM() {
        for (int p = 1; p <= 6; p++) {
            for (int m = 1; m <= 9; m++) {
                List<List<PipelineOp>> ops = new StudentOneFOneB().ops(p, m);
                try {
                    ScheduleSimulation.of(new StudentOneFOneB(), p, m);
                } catch (IllegalArgumentException e) {
                    fail("p=" + p + ", m=" + m + ": " + e.getMessage()
                            + " (a backward can only run after the next stage's backward of the same micro-batch)");
                }
                assertEquals(p, ops.size(), "one list per stage");
            }
        }
    }

    @Graded(id = "08.1", points = 2, title = "bubble = (p-1)/(m+p-1), as GPipe's")
    void bubbleIsTheFormula() {
        for (int p = 1; p <= 5; p++) {
            for (int m = 1; m <= 9; m++) {
                double expected = (p - 1.0) / (m + p - 1.0);
                double got = ScheduleSimulation.of(new StudentOneFOneB(), p, m).bubble();
                assertEquals(expected, got, 1e-9, "p=" + p + ", m=" + m + ": a bubble above the formula means the "
                        + "warm-up is too short (stages wait) or the steady state does not alternate F and B");
            }
        }
    }

    @Graded(id = "08.1", points = 3, title = "stage d holds at most min(p-d, m) micro-batches (not all m, as GPipe)")
    void peakInFlight() {
        for (int p = 1; p <= 5; p++) {
            for (int m = 1; m <= 9; m++) {
                int[] peak = ScheduleSimulation.of(new StudentOneFOneB(), p, m).peakInFlight();
                for (int d = 0; d < p; d++) {
                    assertEquals(Math.min(p - d, m), peak[d], "p=" + p + ", m=" + m + ", stage " + d
                            + ": peak activations held; more than p-d means the warm-up is too long (GPipe-like), "
                            + "fewer means the pipeline is starved");
                }
            }
        }
    }
}
