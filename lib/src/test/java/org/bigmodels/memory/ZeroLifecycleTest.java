package org.bigmodels.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The life cycle of a {@link ZeroDataParallel} (regressions from the adversarial review, BREAK-1 items 2, 3 and the
 * weight-decay minor item): after training, {@code gptLoss} and (after {@code close()}) {@code model.loss} use the
 * current weights, checked against an independent GPT loaded with {@link ZeroDataParallel#fullParameters()}; the
 * closed model's parameters are independent arrays; a second open instance on one model is refused.
 */
class ZeroLifecycleTest {
    static final Batch EVAL = ZeroEquivalenceTest.batch(99, 0);

    @ParameterizedTest(name = "stage {0}")
    @EnumSource(value = ZeroStage.class, names = {"ONE", "TWO", "THREE"})
    void lossesUseTheCurrentWeightsAfterTrainingAndClose(ZeroStage stage) {
        List<double[]> res = ThreadCommunicator.run(2, 60_000, comm -> {
            GPT model = new GPT(ZeroEquivalenceTest.CFG);
            var zero = new ZeroDataParallel(comm, model, stage, model.blocks(), 0.05, 0.9, 0.999, 1e-8, 0.1);
            var opt = zero.optimizer();
            for (int s = 0; s < 2; s++) {
                Batch b = ZeroEquivalenceTest.batch(s, comm.rank());
                opt.zeroGrad();
                zero.beforeStep(s);
                Tensor loss = zero.gptLoss(model, b.x(), b.y());
                loss.backward();
                zero.synchronize(opt.parameters());
                opt.step();
            }
            GPT ref = new GPT(ZeroEquivalenceTest.CFG); // independent: a fresh model loaded with the gathered weights
            List<org.nd4j.linalg.api.ndarray.INDArray> full = zero.fullParameters();
            for (int i = 0; i < full.size(); i++) ref.parameters().get(i).value().assign(full.get(i));
            double truth = ref.loss(EVAL.x(), EVAL.y()).item();
            double viaZero = zero.gptLoss(model, EVAL.x(), EVAL.y()).item();
            zero.close();
            double direct = model.loss(EVAL.x(), EVAL.y()).item();
            zero.close(); // a second close does nothing
            List<Tensor> ps = model.parameters();
            for (int i = 0; i < ps.size(); i++) ps.get(i).value().assign(i);
            double shared = 0;
            for (int i = 0; i < ps.size(); i++) shared = Math.max(shared, ps.get(i).value().sub(i).amaxNumber().doubleValue());
            return new double[] {truth, viaZero, direct, shared};
        });
        for (double[] r : res) {
            assertEquals(r[0], r[1], 1e-12, "stage " + stage + ": gptLoss after training used stale weights");
            assertEquals(r[0], r[2], 1e-12, "stage " + stage + ": model.loss after close() is not the trained model's");
            assertEquals(0.0, r[3], 0.0, "stage " + stage + ": after close() parameters still share one buffer");
        }
    }

    @Test
    void aSecondOpenInstanceOnOneModelIsRefused() {
        var comm = ThreadCommunicator.group(1).get(0);
        GPT model = new GPT(ZeroEquivalenceTest.CFG);
        var first = new ZeroDataParallel(comm, model, ZeroStage.TWO, List.of(), 0.05, 0.9, 0.999, 1e-8, 0.0);
        var e = assertThrows(IllegalStateException.class,
                () -> new ZeroDataParallel(comm, model, ZeroStage.TWO, List.of(), 0.05, 0.9, 0.999, 1e-8, 0.0));
        assertTrue(e.getMessage().contains("close()"), e.getMessage());
        first.close();
        new ZeroDataParallel(comm, model, ZeroStage.TWO, List.of(), 0.05, 0.9, 0.999, 1e-8, 0.0).close();
    }

    @Test
    void infiniteWeightDecayIsRefused() {
        var comm = ThreadCommunicator.group(1).get(0);
        var e = assertThrows(IllegalArgumentException.class, () -> new ZeroDataParallel(comm,
                new GPT(ZeroEquivalenceTest.CFG), ZeroStage.ONE, List.of(), 0.1, 0.9, 0.999, 1e-8,
                Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
    }
}
