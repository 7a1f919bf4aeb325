package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TrainingTest {

    /** Two blobs, linearly separable. */
    static INDArray[] blobs(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[i][0] = (y[i] == 0 ? -1 : 1) + 0.3 * r.nextGaussian();
            x[i][1] = (y[i] == 0 ? 1 : -1) + 0.3 * r.nextGaussian();
        }
        return new INDArray[] {Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(y)};
    }

    private History train(long seed) {
        INDArray[] d = blobs(200, 1);
        MLP m = new MLP(new long[] {2, 8, 2}, Activation.RELU, DataType.FLOAT, seed);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1, 0.9, 0), TrainConfig.defaults().withProgress(false).withLogEvery(1));
        return t.fitEpochs(d[0], d[1], 3, 16, b -> Ops.crossEntropy(m.forward(Tensor.of(b.x())), b.y()),
                () -> Map.of("accuracy", Metrics.accuracy(Metrics.argmax(m.forward(Tensor.of(d[0])).value()), d[1].toIntVector())));
    }

    @Test
    void trainingLearnsAndIsRepeatable() {
        History a = train(7), b = train(7), c = train(8);
        assertArrayEquals(a.losses(), b.losses(), 0.0, "same seed, same run");
        assertFalse(java.util.Arrays.equals(a.losses(), c.losses()));
        assertTrue(a.last("accuracy") > 0.95, "accuracy " + a.last("accuracy"));
        assertTrue(a.lastLoss() < a.losses()[0]);
        assertEquals(a.size(), a.table().rowCount());
        assertTrue(a.table().columnNames().contains("accuracy"));
    }

    @Test
    void divergenceStopsWithTheStepAndAHint() {
        INDArray[] d = blobs(64, 2);
        MLP m = new MLP(new long[] {2, 8, 2}, Activation.RELU, DataType.FLOAT, 1);
        d[0].muli(1e30f);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 10.0), TrainConfig.defaults().withProgress(false));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> t.fitEpochs(d[0], d[1], 5, 8, b -> Ops.crossEntropy(m.forward(Tensor.of(b.x())), b.y()), null));
        assertTrue(e.getMessage().contains("step " + e.step()));
        assertTrue(e.getMessage().contains("learning rate"));
    }

    @Test
    void checkpointRoundTripIsExactAndAtomic(@TempDir Path dir) throws Exception {
        MLP a = new MLP(new long[] {3, 4, 2}, Activation.TANH, DataType.DOUBLE, 1);
        MLP b = new MLP(new long[] {3, 4, 2}, Activation.TANH, DataType.DOUBLE, 2);
        Path f = dir.resolve("model.bmck");
        Checkpoint.save(a, f);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
        Checkpoint.load(b, f);
        a.namedParameters().forEach((n, p) -> assertEquals(p.value(), b.parameter(n).value(), n));

        MLP other = new MLP(new long[] {3, 5, 2}, Activation.TANH, DataType.DOUBLE, 1);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(other, f));
        assertTrue(shape.getMessage().contains("0.weight"), shape.getMessage());

        Path bad = dir.resolve("bad.bmck");
        Files.write(bad, new byte[] {'B', 'M', 'C', 'K', 0, 0, 0, 1, 0, 0, 0, 3});
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(bad));
        Files.write(bad, "hello".getBytes());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(bad)).getMessage().contains("magic"));
    }

    @Test
    void metricsAgainstHandCounts() {
        int[] actual = {0, 0, 1, 1, 2, 2};
        int[] predicted = {0, 1, 1, 1, 2, 0};
        assertEquals(4.0 / 6, Metrics.accuracy(predicted, actual), 1e-12);
        int[][] cm = Metrics.confusionMatrix(predicted, actual, 3);
        assertArrayEquals(new int[] {1, 1, 0}, cm[0]);
        assertArrayEquals(new int[] {0, 2, 0}, cm[1]);
        assertArrayEquals(new int[] {1, 0, 1}, cm[2]);
        var t = Metrics.perClass(cm);
        assertEquals(2.0 / 3, t.doubleColumn("precision").get(1), 1e-12);
        assertEquals(0.5, t.doubleColumn("recall").get(2), 1e-12);
    }

    @Test
    void batchesCoverEveryExampleOnce() {
        INDArray x = Nd4j.arange(10).castTo(DataType.FLOAT).reshape(10, 1);
        INDArray y = Nd4j.arange(10).castTo(DataType.INT);
        var batches = Batches.epoch(x, y, 4, 3, 0);
        assertEquals(3, batches.size());
        assertEquals(2, batches.get(2).size());
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (Batch b : batches) {
            for (int i = 0; i < b.size(); i++) {
                assertEquals(b.x().getDouble(i, 0), b.y().getDouble(i), 0.0, "rows stay paired");
                seen.add(b.y().getInt(i));
            }
        }
        assertEquals(10, seen.size());
    }

    @Test
    void adamTrainerOnGptLearnsToCopy() {
        var cfg = new org.bigmodels.nn.GPTConfig(5, 6, 1, 2, 16, 0.0, DataType.FLOAT, 1);
        var gpt = new org.bigmodels.nn.GPT(cfg);
        INDArray ids = Nd4j.createFromArray(new int[][] {{0, 1, 2, 3, 4, 0}, {4, 3, 2, 1, 0, 4}});
        INDArray next = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 0, 1}, {3, 2, 1, 0, 4, 3}});
        Trainer t = new Trainer(gpt, Adam.adamW(gpt.parameters(), 1e-2, 0.0), TrainConfig.defaults().withProgress(false));
        History h = t.fitSteps(150, i -> new Batch(ids, next), b -> gpt.loss(b.x(), b.y()), null);
        assertTrue(h.lastLoss() < 0.1, "memorising two sequences, final loss " + h.lastLoss());
    }
}
