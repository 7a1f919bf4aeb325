package org.bigmodels.exercises.lesson08;

import java.util.List;
import org.bigmodels.pipeline.PipelineOp;
import org.bigmodels.pipeline.PipelineSchedule;

/**
 * Exercise 08.1 (lesson 08-pipeline-parallel): the 1F1B pipeline schedule (PipeDream-Flush; Narayanan et al. 2021,
 * "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", section 2.2.1) as a
 * {@link PipelineSchedule}: for p stages and m micro-batches, the ordered list of passes of each stage
 * ({@link PipelineOp#forward(int)}, {@link PipelineOp#backward(int)}). The library's {@code PipelineRunner} executes
 * it; {@code ScheduleSimulation.of(new StudentOneFOneB(), p, m)} checks it and gives its bubble and peak.
 *
 * <p>Goal: the same bubble as GPipe, (p-1)/(m+p-1), while stage d never holds more than min(p-d, m) micro-batches'
 * activations (GPipe holds all m). Every stage must list the forward and the backward of every micro-batch exactly
 * once, and the order must never make two stages wait for each other.
 *
 * <p>Replace the {@code throw} with your code, then run {@code ./course grade 08}.
 */
public final class StudentOneFOneB implements PipelineSchedule {
    @Override
    public String name() {
        return "student 1F1B";
    }

    /**
     * @param stages       p >= 1
     * @param microBatches m >= 1 (m may be below p, or not a multiple of it)
     * @return element d: stage d's passes in execution order
     */
    @Override
    public List<List<PipelineOp>> ops(int stages, int microBatches) {
        throw new UnsupportedOperationException("not implemented yet: StudentOneFOneB.ops -- three phases per stage: "
                + "a warm-up of forwards (how many can stage d run before the first gradient can come back to it? it "
                + "depends on d, and it cannot exceed m), a steady state that alternates one forward and one backward, "
                + "and a cool-down of the remaining backwards. Backwards go in micro-batch order 0, 1, 2, ...");
    }
}
