package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * 1F1B, one forward one backward (PipeDream-Flush: Narayanan et al. 2021, "Efficient Large-Scale Language Model
 * Training on GPU Clusters Using Megatron-LM", section 2.2.1, figure 4 top). Stage d of p first runs
 * w = min(p-d-1, m) warm-up forwards, then alternates one forward and one backward until the forwards are done,
 * then runs the remaining backwards. The bubble is GPipe's, (p-1)/(m+p-1), but a stage never holds more than
 * min(p-d, m) micro-batches' activations (at most p), instead of m.
 */
public final class OneFOneBSchedule implements PipelineSchedule {
    @Override
    public String name() {
        return "1F1B";
    }

    @Override
    public List<List<PipelineOp>> ops(int stages, int microBatches) {
        PipelineSchedule.checkSizes("OneFOneBSchedule", stages, microBatches);
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
