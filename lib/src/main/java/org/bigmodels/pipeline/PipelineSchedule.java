package org.bigmodels.pipeline;

import java.util.List;

/**
 * A pipeline schedule: for p stages (workers) and m micro-batches, the order in which each stage runs its forward
 * and backward passes. Only the order: the {@link PipelineRunner} executes it on worker threads, waiting for each
 * pass's input (the previous stage's activation, the next stage's gradient), and {@link ScheduleSimulation} checks it
 * and predicts its bubble in unit time. Separating the two is how Megatron-LM and PyTorch's
 * {@code torch.distributed.pipelining} are built: a new schedule is a new list, not a new runner.
 *
 * <p>A valid schedule lists, on every stage and for every chunk it holds, the forward and the backward of every
 * micro-batch exactly once, in an order that can run: a forward after the same micro-batch's forward on the
 * previous part, a backward after its forward on this part and its backward on the next part (the simulation
 * rejects a schedule that would deadlock).
 *
 * <p>Implementations: {@link NaiveSchedule} (layer-wise model parallelism), {@link GPipeSchedule},
 * {@link OneFOneBSchedule}, {@link InterleavedSchedule}.
 */
public interface PipelineSchedule {
    /** A short name for tables and charts ("GPipe", "1F1B", ...). */
    String name();

    /** Model chunks per stage (virtual stages): 1, except for interleaved schedules. */
    default int chunks() {
        return 1;
    }

    /**
     * The passes of each stage in execution order: element d is stage d's list.
     *
     * @param stages       p >= 1
     * @param microBatches m >= 1
     * @throws IllegalArgumentException when p or m is below 1
     */
    List<List<PipelineOp>> ops(int stages, int microBatches);

    /** Checks p and m for {@link #ops}: both at least 1, with a message saying which. */
    static void checkSizes(String who, int stages, int microBatches) {
        if (stages < 1) {
            throw new IllegalArgumentException(who + ": expected at least 1 stage, got " + stages);
        }
        if (microBatches < 1) {
            throw new IllegalArgumentException(who + ": expected at least 1 micro-batch, got " + microBatches
                    + "; a pipeline needs the batch split into m >= 1 micro-batches");
        }
    }
}
