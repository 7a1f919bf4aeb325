package org.bigmodels.dataparallel;

import org.bigmodels.engine.Tensor;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradient accumulation for the one {@link Trainer}: a step's batch is cut into k micro-batches along its first axis;
 * the first k−1 are forwarded and back-propagated inside {@link DataParallel#noSync} (their gradients add up in the
 * parameters, no communication), and the last one's loss is returned to the Trainer, whose backward completes the sum
 * and whose {@link org.bigmodels.train.GradientSync} step then synchronises it once (PyTorch's {@code no_sync()}
 * recipe). Each micro-batch's loss is weighted by its share of the examples, m_i / m, so for a loss that is a mean
 * over examples the accumulated gradient equals the gradient of the whole batch (and the peak activation memory is
 * that of one micro-batch). The returned loss's value is the whole batch's (the weighted sum), for logging.
 */
public final class GradientAccumulation {
    private GradientAccumulation() {
    }

    /**
     * @param microLoss    the mean loss of a (micro-)batch
     * @param microBatches k >= 1; batches smaller than k are cut into as many micro-batches as they have examples
     * @param dataParallel the replica's data parallelism whose synchronisation is skipped on the inner micro-steps,
     *                     or null for a single worker
     * @throws IllegalArgumentException for k < 1 or a null loss
     */
    public static Trainer.Objective of(Trainer.Objective microLoss, int microBatches, DataParallel dataParallel) {
        if (microLoss == null) throw new IllegalArgumentException("GradientAccumulation: expected a loss, got null");
        if (microBatches < 1) {
            throw new IllegalArgumentException("GradientAccumulation: expected at least 1 micro-batch, got "
                    + microBatches);
        }
        return batch -> {
            int m = (int) batch.size();
            int k = Math.min(microBatches, m);
            double total = 0;
            Tensor last = null;
            int from = 0;
            for (int i = 0; i < k; i++) {
                int to = (int) ((long) m * (i + 1) / k); // sizes differ by at most one
                Batch micro = slice(batch, from, to);
                Tensor weighted = microLoss.loss(micro).mul((double) (to - from) / m);
                total += weighted.item();
                if (i < k - 1) {
                    if (dataParallel != null) {
                        try (var off = dataParallel.noSync()) {
                            weighted.backward();
                        }
                    } else {
                        weighted.backward();
                    }
                } else {
                    last = weighted;
                }
                from = to;
            }
            Tensor lastMicro = last;
            // the value is the whole batch's loss; backward goes only into the last micro-batch's graph
            return Tensor.fromOp("accumulated", Nd4j.scalar(lastMicro.dataType(), total).reshape(lastMicro.shape()),
                    lastMicro::accumulateGrad, lastMicro);
        };
    }

    private static Batch slice(Batch b, int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) rows[i] = from + i;
        return new Batch(DistributedSampler.rows(b.x(), rows), DistributedSampler.rows(b.y(), rows));
    }
}
