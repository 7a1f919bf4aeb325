package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Interleaved 1F1B with virtual stages (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on
 * GPU Clusters Using Megatron-LM", section 2.2.2, figure 4 bottom). The model is cut into p·v parts; worker d holds
 * parts d, p+d, 2p+d, ... (v chunks), so a micro-batch visits every worker v times. Each pass is v times shorter,
 * and the bubble shrinks v-fold: (p-1)/v idle pass-times against m, a fraction ((p-1)/v)/(m+(p-1)/v), for
 * m a multiple of p; the price is v times more messages.
 *
 * <p>Order on worker d: micro-batches go in groups of p; the forward sequence runs, per group, chunk 0 of the group's
 * micro-batches, then chunk 1, ..., then chunk v-1; the backward sequence is the same with the chunks in reverse.
 * Worker d runs 2(p-d-1) + (v-1)·p warm-up forwards (all of them if fewer), then alternates one forward and one
 * backward, then finishes the backwards. For m not a multiple of p (or m &lt; p) the last group is shorter and the
 * warm-up is shortened with it; {@link ScheduleSimulation} checks every such order in the tests.
 */
public final class InterleavedSchedule implements PipelineSchedule {
    private final int chunks;

    /**
     * @param chunks v >= 1 virtual stages per worker (v = 1 is 1F1B)
     * @throws IllegalArgumentException when v < 1
     */
    public InterleavedSchedule(int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("InterleavedSchedule: expected at least 1 chunk per stage, got " + chunks);
        }
        this.chunks = chunks;
    }

    @Override
    public String name() {
        return "interleaved 1F1B (v=" + chunks + ")";
    }

    @Override
    public int chunks() {
        return chunks;
    }

    @Override
    public List<List<PipelineOp>> ops(int stages, int microBatches) {
        PipelineSchedule.checkSizes("InterleavedSchedule", stages, microBatches);
        int p = stages, m = microBatches, v = chunks;
        List<PipelineOp> forwards = new ArrayList<>();
        List<PipelineOp> backwards = new ArrayList<>();
        for (int g0 = 0; g0 < m; g0 += p) {
            int g1 = Math.min(m, g0 + p);
            for (int c = 0; c < v; c++) {
                for (int mb = g0; mb < g1; mb++) forwards.add(PipelineOp.forward(mb, c));
            }
            for (int c = v - 1; c >= 0; c--) {
                for (int mb = g0; mb < g1; mb++) backwards.add(PipelineOp.backward(mb, c));
            }
        }
        int group = Math.min(p, m);
        List<List<PipelineOp>> out = new ArrayList<>();
        for (int d = 0; d < p; d++) {
            int total = m * v;
            int warmup = Math.min(total, 2 * (p - d - 1) + (v - 1) * group);
            if (v == 1) warmup = Math.min(total, p - d - 1);
            List<PipelineOp> ops = new ArrayList<>();
            int f = 0, b = 0;
            while (f < warmup) ops.add(forwards.get(f++));
            while (f < total) {
                ops.add(forwards.get(f++));
                ops.add(backwards.get(b++));
            }
            while (b < total) ops.add(backwards.get(b++));
            out.add(ops);
        }
        return out;
    }
}
