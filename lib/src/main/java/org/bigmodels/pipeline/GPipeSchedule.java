package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * GPipe (Huang et al. 2019, "GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism",
 * section 2.2): every stage runs the forwards of all m micro-batches, then all their backwards (in reverse order),
 * then the optimizer steps once ("flush"). With equal stages the idle fraction (the bubble) is (p-1)/(m+p-1), and
 * each stage holds the activations of all m micro-batches at the turn.
 */
public final class GPipeSchedule implements PipelineSchedule {
    @Override
    public String name() {
        return "GPipe";
    }

    @Override
    public List<List<PipelineOp>> ops(int stages, int microBatches) {
        PipelineSchedule.checkSizes("GPipeSchedule", stages, microBatches);
        List<List<PipelineOp>> out = new ArrayList<>();
        for (int d = 0; d < stages; d++) {
            List<PipelineOp> ops = new ArrayList<>();
            for (int mb = 0; mb < microBatches; mb++) ops.add(PipelineOp.forward(mb));
            for (int mb = microBatches - 1; mb >= 0; mb--) ops.add(PipelineOp.backward(mb));
            out.add(ops);
        }
        return out;
    }
}
