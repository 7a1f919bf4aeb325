package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/**
 * Review finding 1: with clipping off, a NaN gradient (finite loss) must stop the Trainer before the update, naming
 * the step and the parameter, and the checkpoint on disk must stay the last good one; a schedule giving NaN or a
 * negative rate stops with the step and the value. The expected weights are those of a clean run of the steps before.
 */
class GradientCheckBeforeStepTest {
    @TempDir
    Path dir;

    static INDArray[] blobs(int n) {
        Random r = new Random(4);
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[i][0] = (y[i] == 0 ? -1 : 1) + 0.3 * r.nextGaussian();
            x[i][1] = (y[i] == 0 ? 1 : -1) + 0.3 * r.nextGaussian();
        }
        return new INDArray[] {Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(y)};
    }

    static MLP mlp() {
        return new MLP(new long[] {2, 4, 2}, Activation.RELU, DataType.FLOAT, 1);
    }

    static Map<String, double[]> weights(MLP m) {
        Map<String, double[]> out = new java.util.TreeMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.value().dup('c').castTo(DataType.DOUBLE).reshape(t.value().length()).toDoubleVector()));
        return out;
    }

    @Test
    void aNaNGradientWithClippingOffStopsBeforeTheUpdateAndTheCheckpoint() {
        INDArray[] d = blobs(32);
        // reference: the same run, stopped cleanly after steps 0 and 1
        MLP cleanTwo = mlp();
        Trainer ct = new Trainer(cleanTwo, Adam.adamW(cleanTwo.parameters(), 0.01, 0.0), TrainConfig.defaults().withProgress(false));
        ct.fitSteps(2, s -> Batches.epoch(d[0], d[1], 8, ct.seed(), 0).get(s),
                b -> Ops.crossEntropy(cleanTwo.forward(Tensor.of(b.x())), b.y()), null);

        MLP m = mlp();
        String name = List.copyOf(m.namedParameters().keySet()).get(1);
        Tensor bias = m.parameter(name);
        Path ck = dir.resolve("run.ck");
        Trainer t = new Trainer(m, Adam.adamW(m.parameters(), 0.01, 0.0),
                TrainConfig.defaults().withProgress(false).withCheckpoint(ck, 1)); // clipNorm 0: clipping off
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fitEpochs(d[0], d[1], 2, 8, b -> {
            Tensor ce = Ops.crossEntropy(m.forward(Tensor.of(b.x())), b.y());
            if (t.step() != 2) return ce;
            return ce.add(bias.sub(bias).pow(0.5).sum()); // value 0, gradient inf - inf = NaN
        }, null));
        assertEquals(2, e.step(), e.getMessage());
        assertEquals(name, e.parameter(), e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());
        // the weights and the checkpoint are those after step 1 (the last good update)
        Map<String, double[]> expect = weights(cleanTwo), got = weights(m);
        expect.forEach((n, w) -> assertArrayEquals(w, got.get(n), 0.0, "in memory: " + n + " changed by the NaN step"));
        MLP fromDisk = mlp();
        Checkpoint.load(fromDisk, ck);
        Map<String, double[]> disk = weights(fromDisk);
        expect.forEach((n, w) -> assertArrayEquals(w, disk.get(n), 0.0, "on disk: " + n));
    }

    @Test
    void aScheduleGivingNaNOrANegativeRateStopsNamingTheStepAndTheValue() {
        INDArray[] d = blobs(16);
        MLP twoSteps = mlp();
        new Trainer(twoSteps, new SGD(twoSteps.parameters(), 0.1, 0.0, 0.01), TrainConfig.defaults().withProgress(false))
                .fitSteps(2, s -> new Batch(d[0], d[1]), b -> Ops.crossEntropy(twoSteps.forward(Tensor.of(b.x())), b.y()), null);
        for (double badLr : new double[] {Double.NaN, -0.1, Double.POSITIVE_INFINITY}) {
            MLP m = mlp();
            Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1, 0.0, 0.01), TrainConfig.defaults().withProgress(false)
                    .withSchedule(s -> s < 2 ? 0.1 : badLr));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fitSteps(3,
                    s -> new Batch(d[0], d[1]), b -> Ops.crossEntropy(m.forward(Tensor.of(b.x())), b.y()), null),
                    "lr " + badLr + " at step 2");
            assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains(String.valueOf(badLr)), e.getMessage());
            Map<String, double[]> expect = weights(twoSteps), got = weights(m);
            expect.forEach((n, w) -> assertArrayEquals(w, got.get(n), 0.0, n + " after the refused rate " + badLr));
        }
    }
}
