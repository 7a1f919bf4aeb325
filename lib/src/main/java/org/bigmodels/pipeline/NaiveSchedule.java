package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Layer-wise (naive) model parallelism: the model is cut into p stages on p workers, and one micro-batch at a time
 * goes forward through every stage and back, before the next one starts. Every stage lists F0 B0 F1 B1 ...; since
 * stage 0 cannot start F1 before B0 has come back from the last stage, only one stage is ever busy: with m
 * micro-batches the idle fraction is (p-1)/p whatever m is. The baseline GPipe and 1F1B improve on (Huang et al.
 * 2019, "GPipe", figure 2b).
 */
public final class NaiveSchedule implements PipelineSchedule {
    @Override
    public String name() {
        return "naive";
    }

    @Override
    public List<List<PipelineOp>> ops(int stages, int microBatches) {
        PipelineSchedule.checkSizes("NaiveSchedule", stages, microBatches);
        List<List<PipelineOp>> out = new ArrayList<>();
        for (int d = 0; d < stages; d++) {
            List<PipelineOp> ops = new ArrayList<>();
            for (int mb = 0; mb < microBatches; mb++) {
                ops.add(PipelineOp.forward(mb));
                ops.add(PipelineOp.backward(mb));
            }
            out.add(ops);
        }
        return out;
    }
}
