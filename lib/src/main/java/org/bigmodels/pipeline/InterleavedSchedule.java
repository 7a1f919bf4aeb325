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
 * backward, then finishes the backwards. For m not a multiple of p (or m &lt; p) the last group is shorter; a stage
 * whose order would then deadlock gets more warm-up forwards until it runs (checked by dependencies), so every m
 * works, with a bubble that can exceed 1F1B's (Megatron-LM asks for p | m).
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
        int total = m * v;
        int[] warmup = new int[p];
        for (int d = 0; d < p; d++) {
            warmup[d] = Math.min(total, v == 1 ? p - d - 1 : 2 * (p - d - 1) + (v - 1) * group);
        }
        List<List<PipelineOp>> out = order(forwards, backwards, warmup);
        // A short last group (p does not divide m) can leave a stage waiting for a backward whose forward its peer
        // lists later; one more warm-up forward on each such stage resolves it (all-forwards-first always runs).
        for (int[] at = ScheduleSimulation.blockedAt(out, p, m, v); at != null;
             at = ScheduleSimulation.blockedAt(out, p, m, v)) {
            boolean changed = false;
            for (int d = 0; d < p; d++) {
                if (at[d] < out.get(d).size() && !out.get(d).get(at[d]).isForward() && warmup[d] < total) {
                    warmup[d]++;
                    changed = true;
                }
            }
            if (!changed) for (int d = 0; d < p; d++) warmup[d] = total;
            out = order(forwards, backwards, warmup);
        }
        return out;
    }

    /** Per stage: warmup[d] forwards, then alternate one forward and one backward, then the remaining backwards. */
    private static List<List<PipelineOp>> order(List<PipelineOp> forwards, List<PipelineOp> backwards, int[] warmup) {
        int total = forwards.size();
        List<List<PipelineOp>> out = new ArrayList<>();
        for (int w : warmup) {
            List<PipelineOp> ops = new ArrayList<>();
            int f = 0, b = 0;
            while (f < w) ops.add(forwards.get(f++));
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
