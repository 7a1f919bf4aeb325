package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bigmodels.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Zero epochs is an error, not a silently untrained model (nor an untrained teacher saved under its name). */
class DistillationExperimentTest {
    private static final long[] SIZES = {784, 8, 10};
    private final INDArray x = Nd4j.rand(DataType.FLOAT, 16, 784);
    private final INDArray y = Nd4j.createFromArray(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5});

    @Test
    void zeroEpochsIsRefusedByEveryTrainingMethod() {
        Sequential m = DistillationModels.mlp(SIZES, 0, 0, 1);
        for (var call : new org.junit.jupiter.api.function.Executable[] {
                () -> DistillationExperiment.train(m, x, y, 0, 8, 1e-3, 1, DistillationExperiment.crossEntropy(m), false),
                () -> DistillationExperiment.trainCosine(m, x, y, 0, 8, 1e-3, 1, DistillationExperiment.crossEntropy(m), false),
                () -> DistillationExperiment.trainCosine(m, x, y, -3, 8, 1e-3, 1, DistillationExperiment.crossEntropy(m), false)}) {
            var e = assertThrows(IllegalArgumentException.class, call);
            assertTrue(e.getMessage().contains("epochs >= 1"), e.getMessage());
        }
    }

    @Test
    void anUntrainedTeacherIsNotSaved(@TempDir Path dir) {
        Path file = dir.resolve("teacher.ckpt");
        assertThrows(IllegalArgumentException.class,
                () -> DistillationExperiment.teacher(file, SIZES, 0, 0, 0, 1e-3, 1, x, y, false));
        assertThrows(IllegalArgumentException.class,
                () -> DistillationExperiment.teacherJittered(file, SIZES, 0, 0, 1, 0, 0, 1e-3, 1, x, y, x, new int[16], 0, null));
        assertFalse(Files.exists(file), "a 0-epoch teacher must not leave a checkpoint that later runs would load as trained");
    }

    @Test
    void oneEpochTrains() {
        Sequential m = DistillationModels.mlp(SIZES, 0, 0, 1);
        INDArray before = m.parameters().get(0).value().dup();
        DistillationExperiment.trainCosine(m, x, y, 1, 8, 1e-2, 1, DistillationExperiment.crossEntropy(m), false);
        assertFalse(before.equalsWithEps(m.parameters().get(0).value(), 0), "one epoch should change the weights");
    }
}
