package org.bigmodels.capstone;

import static org.junit.jupiter.api.Assertions.*;

import org.bigmodels.distill.DistillationLoss;
import org.bigmodels.nn.MLP;
import org.bigmodels.prune.PruningMasks;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pipeline on a small synthetic task: the distilled student learns the teacher's decision (a linear teacher on
 * random inputs), and pruning reaches the requested global sparsity with exact zeros, counted in a plain loop.
 */
class CompressionPipelineTest {
    @Test
    void distilledStudentFollowsTheTeacherAndPruningIsExact() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1024, 20).subi(0.5);
        INDArray teacherW = Nd4j.randn(DataType.FLOAT, 20, 4).muli(4);
        INDArray logits = x.mmul(teacherW);
        INDArray y = logits.argMax(1).castTo(DataType.FLOAT);
        int[] labels = logits.argMax(1).toIntVector();
        DistillationLoss kd = new DistillationLoss(4, 0.9);
        MLP m = CompressionPipeline.distill(new long[] {20, 32, 4}, x, y, logits, kd, 40, 1e-2, 1, false);
        double acc = CompressionPipeline.accuracy(m, x, labels);
        assertTrue(acc > 0.85, "a 20-32-4 student of a linear teacher should agree with it on 85 % of its inputs, got " + acc);

        PruningMasks masks = CompressionPipeline.prune(m, x, y, logits, kd, 0.75, 8, 3e-3, 1, false);
        long zeros = 0, total = 0;
        for (String n : new String[] {"0.weight", "2.weight"}) {
            for (double v : m.parameter(n).value().castTo(DataType.DOUBLE).dup('c').data().asDouble()) {
                total++;
                if (v == 0) {
                    zeros++;
                    assertEquals(0L, Double.doubleToRawLongBits(v), "a pruned weight must be +0.0, not -0.0 (a file keeps -0.0)");
                }
            }
        }
        assertEquals(0.75, (double) zeros / total, 1.0 / total, "global sparsity over both weight matrices");
        assertTrue(CompressionPipeline.accuracy(m, x, labels) > 0.75, "the pruned student keeps most of its accuracy");
        assertThrows(IllegalArgumentException.class, () -> CompressionPipeline.prune(m, x, y, logits, kd, 1.0, 1, 1e-3, 1, false));
    }

    @Test
    void pruningReachesTheTargetSparsityEvenInARunOfOneOrTwoSteps() {
        // 200 rows at batch 128 are 2 optimizer steps: with 10 pruning steps spaced one apart, the run used to end at
        // the second (sparsity 0.44 of a 0.9 target); 100 rows are a single step
        Nd4j.getRandom().setSeed(5);
        DistillationLoss kd = new DistillationLoss(2, 0.5);
        for (int rows : new int[] {100, 200}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, rows, 20), logits = Nd4j.randn(DataType.FLOAT, rows, 3);
            INDArray y = logits.argMax(1).castTo(DataType.FLOAT);
            MLP m = new MLP(new long[] {20, 16, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 1);
            CompressionPipeline.prune(m, x, y, logits, kd, 0.9, 1, 1e-3, 1, false);
            long zeros = 0, total = 0;
            for (String n : new String[] {"0.weight", "2.weight"}) {
                for (double v : m.parameter(n).value().castTo(DataType.DOUBLE).dup('c').data().asDouble()) {
                    total++;
                    if (v == 0) zeros++;
                }
            }
            assertEquals(0.9, (double) zeros / total, 1.0 / total, "global sparsity after " + rows + " rows x 1 epoch");
        }
    }
}
