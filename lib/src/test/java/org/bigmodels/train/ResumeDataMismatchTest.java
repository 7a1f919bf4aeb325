package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Review finding 9: a fitEpochs checkpoint holds its batch size and number of examples; resuming with others (the
 * step would mean another position in the data) is refused with both values named. The same ones resume exactly
 * (weights equal to an uninterrupted run, bit for bit).
 */
class ResumeDataMismatchTest {
    @TempDir
    Path dir;

    static Trainer trainer(MLP m, Path ck) {
        TrainConfig c = TrainConfig.defaults().withProgress(false);
        return new Trainer(m, new SGD(m.parameters(), 0.1), ck == null ? c : c.withCheckpoint(ck, 1));
    }

    /** Trains on (x, y) in batches of 12 and crashes at step 3 (1.5 epochs of 24 examples). */
    Path interrupted(INDArray[] d) {
        Path ck = dir.resolve("bs.ck");
        MLP m = GradientCheckBeforeStepTest.mlp();
        Trainer t = trainer(m, ck);
        assertThrows(IllegalStateException.class, () -> t.fitEpochs(d[0], d[1], 3, 12, b -> {
            if (t.step() == 3) throw new IllegalStateException("crash");
            return Ops.crossEntropy(m.forward(Tensor.of(b.x())), b.y());
        }, null));
        return ck;
    }

    @Test
    void anotherBatchSizeOrDatasetSizeIsRefusedOnResume() {
        INDArray[] d = GradientCheckBeforeStepTest.blobs(24);
        Path ck = interrupted(d);
        INDArray[] fewer = GradientCheckBeforeStepTest.blobs(20);
        for (Object[] c : new Object[][] {{d, 8, "batches of 8"}, {fewer, 12, "20 examples"}}) {
            INDArray[] data = (INDArray[]) c[0];
            MLP m2 = GradientCheckBeforeStepTest.mlp();
            Trainer t2 = trainer(m2, null);
            Checkpoint.loadTraining(ck, t2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t2.fitEpochs(data[0], data[1],
                    3, (int) c[1], b -> Ops.crossEntropy(m2.forward(Tensor.of(b.x())), b.y()), null), (String) c[2]);
            assertTrue(e.getMessage().contains("batches of 12") && e.getMessage().contains("24 examples")
                    && e.getMessage().contains(String.valueOf(c[2])), e.getMessage());
        }
    }

    @Test
    void theSameBatchSizeAndDataResumeExactly() {
        INDArray[] d = GradientCheckBeforeStepTest.blobs(24);
        MLP straight = GradientCheckBeforeStepTest.mlp();
        trainer(straight, null).fitEpochs(d[0], d[1], 3, 12, b -> Ops.crossEntropy(straight.forward(Tensor.of(b.x())), b.y()), null);
        Path ck = interrupted(d);
        MLP m2 = GradientCheckBeforeStepTest.mlp();
        Trainer t2 = trainer(m2, null);
        Checkpoint.loadTraining(ck, t2);
        assertEquals(3, t2.step());
        t2.fitEpochs(d[0], d[1], 3, 12, b -> Ops.crossEntropy(m2.forward(Tensor.of(b.x())), b.y()), null);
        var e = GradientCheckBeforeStepTest.weights(straight);
        var g = GradientCheckBeforeStepTest.weights(m2);
        e.forEach((n, w) -> assertArrayEquals(w, g.get(n), 0.0, n));
    }
}
