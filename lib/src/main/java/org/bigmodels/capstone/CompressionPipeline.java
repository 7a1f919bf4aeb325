package org.bigmodels.capstone;

import java.util.List;
import org.bigmodels.distill.DistillationExperiment;
import org.bigmodels.distill.DistillationLoss;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.LrSchedule;
import org.bigmodels.prune.CubicSparsitySchedule;
import org.bigmodels.prune.GradualPruner;
import org.bigmodels.prune.MagnitudePruning;
import org.bigmodels.prune.MaskedOptimizer;
import org.bigmodels.prune.PruningMasks;
import org.bigmodels.train.Batches;
import org.bigmodels.train.Metrics;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The first two steps of the capstone pipeline on an MNIST MLP, as functions, so the lesson, the benchmark and the
 * exercise's solution run the same code: distill a student from a teacher's logits (Hinton et al. 2015), then prune
 * it gradually (Zhu and Gupta 2017, one global magnitude ranking) while it keeps training on the same distillation
 * objective, so the teacher's soft targets also guide the recovery from each pruning step. The third step,
 * quantization, is one call on the result: {@code QuantizedModelFile.of(model, ...)} (see the package doc). All
 * training goes through the course {@link Trainer} with Adam and a cosine-decayed rate.
 */
public final class CompressionPipeline {
    private CompressionPipeline() {}

    /**
     * A ReLU MLP of {@code sizes} (float32, initial weights from {@code seed}) trained for {@code epochs} on the
     * distillation loss against {@code teacherLogits} [N, classes] for the images x [N, 784] and labels y [N].
     *
     * @throws IllegalArgumentException from {@link DistillationLoss#packTargets} when the row counts differ
     */
    public static MLP distill(long[] sizes, INDArray x, INDArray y, INDArray teacherLogits, DistillationLoss loss,
                              int epochs, double lr, long seed, boolean progress) {
        MLP student = new MLP(sizes, Activation.RELU, DataType.FLOAT, seed);
        DistillationExperiment.trainCosine(student, x, DistillationLoss.packTargets(y, teacherLogits), epochs, 128, lr,
                seed, DistillationExperiment.distillation(student, loss), progress);
        return student;
    }

    /**
     * Prunes {@code model}'s weight matrices (not the biases) in place to {@code sparsity} (fraction of zeros over all
     * of them, one global ranking by |w|) during {@code epochs} of training on the distillation objective: the
     * sparsity follows the cubic schedule from 0 over the first 70 % of the steps, in 10 pruning steps (fewer when
     * that span has fewer than 10 steps; with a single step it prunes to the target at once), and the rest fine-tunes
     * at the final mask, so the target sparsity is reached however short the run. Pruned weights are exactly +0.0 afterwards (not -0.0: see the code).
     *
     * @return the masks (their sparsities per layer tell where the pruning went)
     * @throws IllegalArgumentException if sparsity is outside [0, 1) or epochs &lt; 1
     */
    public static PruningMasks prune(MLP model, INDArray x, INDArray y, INDArray teacherLogits, DistillationLoss loss,
                                     double sparsity, int epochs, double lr, long seed, boolean progress) {
        if (!(sparsity >= 0 && sparsity < 1) || epochs < 1) {
            throw new IllegalArgumentException("CompressionPipeline.prune: expected a sparsity in [0, 1) and epochs >= 1, "
                    + "got sparsity " + sparsity + ", epochs " + epochs);
        }
        int total = epochs * Batches.count(x.size(0), 128);
        // 10 pruning steps, or one per step when the first 70 % has fewer: the last one must fall within the run
        int span = Math.max(1, (int) (0.7 * total)), steps = Math.min(10, span), dt = span / steps;
        List<String> names = MagnitudePruning.weightNames(model);
        PruningMasks masks = new PruningMasks(model);
        MaskedOptimizer opt = new MaskedOptimizer(Adam.adam(model.parameters(), lr), masks);
        new GradualPruner(masks, names, new CubicSparsitySchedule(0, sparsity, 0, steps, dt), true).attach(opt);
        TrainConfig cfg = TrainConfig.defaults().withSeed(seed).withProgress(progress).withLogEvery(1000)
                .withSchedule(LrSchedule.cosineWithWarmup(lr, 0, Math.max(2, total), lr / 100));
        new Trainer(model, opt, cfg).fitEpochs(x, DistillationLoss.packTargets(y, teacherLogits), epochs, 128,
                DistillationExperiment.distillation(model, loss), null);
        masks.apply();
        // a masked negative weight is -0.0 (w * 0); adding +0.0 makes every pruned weight +0.0, the value a file
        // omits (QuantizedModelFile stores float bit patterns exactly, so -0.0 would be kept as a non-zero)
        for (String n : names) model.parameter(n).value().addi(0.0);
        return masks;
    }

    /** The fraction of rows of x [N, 784] the model classifies as labels [N]. */
    public static double accuracy(MLP model, INDArray x, int[] labels) {
        return Metrics.accuracy(model.predict(x), labels);
    }
}
