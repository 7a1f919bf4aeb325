package org.bigmodels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class QatBenchmarkTest {

    private static double largestChange(MLP before, MLP after) {
        double worst = 0;
        var a = before.namedParameters();
        for (var e : after.namedParameters().entrySet()) {
            worst = Math.max(worst, e.getValue().value().castTo(DataType.DOUBLE)
                    .sub(a.get(e.getKey()).value().castTo(DataType.DOUBLE)).amaxNumber().doubleValue());
        }
        return worst;
    }

    @Test
    void fineTuneTakesAdamsFirstStepAtTheGivenLearningRate() {
        // 20 examples, batches of 128: one step. Adam's first step moves every weight with a non-zero gradient by
        // lr * g / (|g| + eps), i.e. by lr (closed form): so the largest change must be the learning rate passed in.
        MLP m = new MLP(new long[] {6, 5, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 20, 6);
        INDArray y = Nd4j.createFromArray(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1});
        for (double lr : new double[] {1e-2, 3e-3}) {
            MLP tuned = QatBenchmark.copy(m);
            QatBenchmark.fineTune(tuned, x, y, 1, 5, lr);
            double moved = largestChange(m, tuned);
            assertEquals(lr, moved, 0.02 * lr, "fine-tuning at lr " + lr + " should move the weights by lr in its one "
                    + "Adam step (is the learning rate ignored?), moved " + moved);
        }
        MLP legacy = QatBenchmark.copy(m);
        QatBenchmark.fineTune(legacy, x, y, 1, 5);
        assertEquals(1e-4, largestChange(m, legacy), 2e-6, "the 5-argument fineTune is the 1e-4 recipe");
    }

    @Test
    void aPtqOnlyRunShowsNaNForQatAndTheLossesForPtq(@TempDir Path dir) {
        int[] bits = {8, 4};
        double nan = Double.NaN;
        var r = new QatBenchmark.SeedResult(1, 0.90, nan, bits, new double[] {0.90, 0.88}, new double[] {0.90, 0.89},
                new double[] {nan, nan}, new double[] {0.90, 0.85}, new double[] {nan, nan});
        String t = QatBenchmark.table(List.of(r));
        String row4 = t.lines().filter(l -> l.trim().startsWith("4 |")).findFirst().orElseThrow();
        assertTrue(row4.contains("2.00") && row4.contains("5.00"), "PTQ's points lost at 4 bits (2 per channel, 5 per "
                + "tensor) should be in the table: " + row4);
        assertTrue(row4.contains("NaN"), "QAT was not run: its columns should say NaN, not a number: " + row4);
        Path f = dir.resolve("r.txt");
        QatBenchmark.writeResults(f, List.of(r));
        assertEquals(t, QatBenchmark.table(QatBenchmark.readResults(f)), "write/read round trip changed the table");
    }

    @Test
    void runRejectsSizesThatAreNotMnists() {
        var d = QatBenchmark.Recipe.defaults();
        var bad = new QatBenchmark.Recipe(new long[] {784, 32, 5}, d.epochs(), d.lrDecay(), d.qatEpochs(), d.qatLr(), true);
        var e = assertThrows(IllegalArgumentException.class, () -> QatBenchmark.run(null, null, 1, bad, new int[] {4}, false));
        assertTrue(e.getMessage().contains("784,...,10"), e.getMessage());
    }

    @Test
    void recipeDefaultsAreTheLeNetSetting() {
        var d = QatBenchmark.Recipe.defaults();
        assertEquals(List.of(784L, 300L, 100L, 10L), java.util.Arrays.stream(d.sizes()).boxed().toList());
        assertEquals(3, d.epochs());
        assertEquals(1, d.qatEpochs());
        assertEquals(1e-4, d.qatLr());
        assertEquals(0.7, d.lrDecay());
    }
}
