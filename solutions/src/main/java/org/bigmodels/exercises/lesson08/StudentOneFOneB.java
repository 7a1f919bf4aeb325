package org.bigmodels.exercises.lesson08;

import java.util.ArrayList;
import java.util.List;
import org.bigmodels.pipeline.PipelineOp;
import org.bigmodels.pipeline.PipelineSchedule;

/** Solution of exercise 08.1: warm-up of min(p-d-1, m) forwards, then one forward one backward, then the rest. */
public final class StudentOneFOneB implements PipelineSchedule {
    @Override
    public String name() {
        return "student 1F1B";
    }

    @Override
    public List<List<PipelineOp>> ops(int stages, int microBatches) {
        PipelineSchedule.checkSizes("StudentOneFOneB", stages, microBatches);
        List<List<PipelineOp>> out = new ArrayList<>();
        for (int d = 0; d < stages; d++) {
            int warmup = Math.min(stages - d - 1, microBatches);
            List<PipelineOp> ops = new ArrayList<>();
            int f = 0, b = 0;
            while (f < warmup) ops.add(PipelineOp.forward(f++));
            while (f < microBatches) {
                ops.add(PipelineOp.forward(f++));
                ops.add(PipelineOp.backward(b++));
            }
            while (b < microBatches) ops.add(PipelineOp.backward(b++));
            out.add(ops);
        }
        return out;
    }
}
