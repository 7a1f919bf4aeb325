package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.MLP;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.LrSchedule;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 6 of issue 6 (resuming): 3 steps, a checkpoint, a crash, a restore into a FRESH model, optimizer and
 * trainer, 3 more steps: every weight equals 6 uninterrupted steps bit for bit. Through the real Trainer, with dropout
 * (ND4J's generator), a learning-rate schedule, clipping and weight decay, for SGD with momentum and AdamW, resuming
 * mid-epoch in fitEpochs and in fitSteps. The reference is the uninterrupted run itself.
 */
class ResumeTrainingTest {
    @TempDir
    Path dir;

    static final INDArray[] DATA = TrainingTest.blobs(24, 3); // 24 examples, batches of 12: 2 steps per epoch

    static Optimizer optimizer(String kind, Module m) {
        return kind.equals("sgd") ? new SGD(m.parameters(), 0.05, 0.9, 0.01)
                : Adam.adamW(m.parameters(), 0.01, 0.9, 0.99, 1e-8, 0.1);
    }

    /** A run: builds everything fresh (weights from initSeed), optionally restores, trains to 6 steps or crashes. */
    static final class Run {
        final Module model;
        final Optimizer opt;
        final Trainer trainer;
        int calls;

        Run(boolean gpt, String kind, long initSeed, TrainConfig cfg) {
            model = gpt ? new GPT(new GPTConfig(5, 6, 1, 2, 8, 0.2, DataType.FLOAT, initSeed))
                    : new MLP(new long[] {2, 8, 2}, Activation.RELU, DataType.FLOAT, initSeed);
            opt = optimizer(kind, model);
            trainer = new Trainer(model, opt, cfg);
        }

        Tensor loss(Batch b, int crashAt) {
            if (crashAt >= 0 && trainer.step() == crashAt) throw new IllegalStateException("simulated crash");
            calls++;
            if (model instanceof GPT g) return g.loss(b.x(), b.y());
            // dropout on the input: the step's random numbers matter
            return Ops.crossEntropy(((MLP) model).forward(Ops.dropout(Tensor.of(b.x()), 0.25)), b.y());
        }

        History fit(boolean epochs, int crashAt) {
            if (epochs) {
                return trainer.fitEpochs(DATA[0], DATA[1], 3, 12, b -> loss(b, crashAt), null);
            }
            return trainer.fitSteps(6, ResumeTrainingTest::textBatch, b -> loss(b, crashAt), null);
        }
    }

    /** A batch that is a function of the global step only (what fitSteps' source must be for an exact resume). */
    static Batch textBatch(int step) {
        java.util.Random r = new java.util.Random(1000 + step);
        int[][] x = new int[2][6], y = new int[2][6];
        for (int i = 0; i < 2; i++) {
            for (int t = 0; t < 6; t++) x[i][t] = r.nextInt(5);
            for (int t = 0; t < 6; t++) y[i][t] = (x[i][t] + 1) % 5;
        }
        return new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    static TrainConfig cfg() {
        return TrainConfig.defaults().withProgress(false).withSeed(11).withClipNorm(0.5).withLogEvery(1)
                .withSchedule(LrSchedule.cosineWithWarmup(0.02, 2, 6, 0.002));
    }

    static void assertBitwiseEqual(Map<String, INDArray> expected, Map<String, INDArray> got, String what) {
        assertEquals(expected.keySet(), got.keySet(), what);
        for (String k : expected.keySet()) {
            INDArray e = expected.get(k), g = got.get(k);
            assertEquals(e.dataType(), g.dataType(), what + " " + k);
            assertArrayEquals(e.shape(), g.shape(), what + " " + k);
            if (e.dataType() == DataType.FLOAT) {
                float[] a = e.dup('c').data().asFloat(), b = g.dup('c').data().asFloat();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]),
                            what + " " + k + "[" + i + "]: " + a[i] + " vs " + b[i]);
                }
            } else {
                assertArrayEquals(e.dup('c').data().asDouble(), g.dup('c').data().asDouble(), 0.0, what + " " + k);
            }
        }
    }

    static Map<String, INDArray> weights(Module m) {
        var out = new java.util.LinkedHashMap<String, INDArray>();
        m.namedParameters().forEach((n, p) -> out.put(n, p.value().dup('c')));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd/epochs", "adamw/epochs", "sgd/steps", "adamw/steps"})
    void resumedTrainingEqualsUninterruptedTrainingBitForBit(String which) {
        String kind = which.split("/")[0];
        boolean epochs = which.endsWith("epochs");
        boolean gpt = !epochs;

        Run straight = new Run(gpt, kind, 1, cfg());
        History all = straight.fit(epochs, -1);
        assertEquals(6, straight.trainer.step());

        Path file = dir.resolve(which.replace('/', '-') + ".bmck");
        Run crashed = new Run(gpt, kind, 1, cfg().withCheckpoint(file, 3));
        assertThrows(IllegalStateException.class, () -> crashed.fit(epochs, 3), "the run crashes in step 3");
        assertEquals(3, crashed.calls);

        Nd4j.getRandom().setSeed(-7); // a new process: ND4J's generator is wherever it is
        Nd4j.rand(DataType.FLOAT, 10);
        Run resumed = new Run(gpt, kind, 99, cfg()); // other initial weights: the checkpoint must overwrite them all
        Checkpoint.loadTraining(file, resumed.model, resumed.opt, resumed.trainer);
        assertEquals(3, resumed.trainer.step());
        History rest = resumed.fit(epochs, -1);
        assertEquals(3, resumed.calls, "only the 3 remaining steps run");
        assertEquals(6, resumed.trainer.step());

        assertBitwiseEqual(weights(straight.model), weights(resumed.model), which + ": weights");
        assertBitwiseEqual(straight.opt.state(straight.model.namedParameters()),
                resumed.opt.state(resumed.model.namedParameters()), which + ": optimizer state");
        double[] tail = Arrays.copyOfRange(all.losses(), 3, 6);
        assertArrayEquals(tail, rest.losses(), 0.0, which + ": the losses of steps 3-5");
        assertArrayEquals(new double[] {3, 4, 5}, rest.steps(), 0.0);
    }

    @Test
    void aTrainingCheckpointRefusesAnotherModelOrOptimizerAndChangesNothing() {
        Path file = dir.resolve("run.bmck");
        Run a = new Run(false, "adamw", 1, cfg());
        a.fit(true, -1);
        Checkpoint.saveTraining(file, a.trainer);

        MLP wider = new MLP(new long[] {2, 9, 2}, Activation.RELU, DataType.FLOAT, 1);
        Trainer t1 = new Trainer(wider, optimizer("adamw", wider), cfg());
        INDArray before = wider.parameters().get(0).value().dup();
        String shape = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadTraining(file, t1)).getMessage();
        assertTrue(shape.contains("[2, 8]") && shape.contains("[2, 9]"), shape);
        assertEquals(before, wider.parameters().get(0).value());
        assertEquals(0, t1.step());

        MLP same = new MLP(new long[] {2, 8, 2}, Activation.RELU, DataType.FLOAT, 1);
        Trainer t2 = new Trainer(same, optimizer("sgd", same), cfg());
        String kind = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadTraining(file, t2)).getMessage();
        assertTrue(kind.contains("optimizer state"), kind);
        assertEquals(0, t2.step());

        Path weightsOnly = dir.resolve("weights.bmck");
        Checkpoint.save(same, weightsOnly);
        Trainer t3 = new Trainer(same, optimizer("adamw", same), cfg());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadTraining(weightsOnly, t3))
                .getMessage().contains("not a training checkpoint"));
        Checkpoint.load(same, file); // the weights of a training checkpoint load into a model
        assertBitwiseEqual(weights(a.model), weights(same), "weights from a training checkpoint");
    }
}
