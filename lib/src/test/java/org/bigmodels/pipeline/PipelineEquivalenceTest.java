package org.bigmodels.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pipelined step equals the unsplit model's step on the same batch: loss, every gradient, and the weights after
 * an optimizer update, for every schedule, p in 1..4, m below, equal to and above p (and not a multiple of it).
 * The reference is the model's own forward (MLP.forward / GPT.loss) and the engine's backward on the whole batch.
 */
class PipelineEquivalenceTest {

    static Stream<PipelineSchedule> schedules() {
        return Stream.of(new NaiveSchedule(), new GPipeSchedule(), new OneFOneBSchedule(), new InterleavedSchedule(2));
    }

    static Stream<Arguments> cases() {
        return schedules().flatMap(s -> Stream.of(
                Arguments.of(s, 1, 3), Arguments.of(s, 2, 1), Arguments.of(s, 2, 3), Arguments.of(s, 3, 2),
                Arguments.of(s, 3, 6), Arguments.of(s, 4, 3), Arguments.of(s, 4, 6), Arguments.of(s, 3, 7)));
    }

    static MLP mlp(int layers) {
        long[] sizes = new long[layers + 1];
        sizes[0] = 5;
        for (int i = 1; i < layers; i++) sizes[i] = 7 + i;
        sizes[layers] = 4;
        return new MLP(sizes, Activation.TANH, DataType.DOUBLE, 7);
    }

    static INDArray features(int n) {
        return Nd4j.rand(DataType.DOUBLE, n, 5).subi(0.5).muli(2);
    }

    static INDArray labels(int n, int classes) {
        Random r = new Random(3);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(classes);
        return Nd4j.createFromArray(y);
    }

    @ParameterizedTest(name = "{0} p={1} m={2}")
    @MethodSource("cases")
    void mlpLossGradientsAndUpdatedWeightsEqualTheUnsplitModel(PipelineSchedule schedule, int p, int m) {
        Nd4j.getRandom().setSeed(11);
        int layers = 8;
        int batch = m * 2;
        INDArray x = features(batch), y = labels(batch, 4);

        MLP reference = mlp(layers);
        Tensor loss = Ops.crossEntropy(reference.forward(x), y);
        loss.backward();
        Map<String, Tensor> ref = reference.namedParameters();
        new SGD(reference.parameters(), 0.1).step();

        MLP split = mlp(layers);
        Map<String, Tensor> before = Map.copyOf(split.namedParameters());
        PipelineRunner runner = new PipelineRunner(StagedModel.of(split), p, schedule)
                .optimizer(params -> new SGD(params, 0.1)).timeoutMillis(30_000);
        PipelineResult r = runner.step(x, y, m);

        assertEquals(loss.item(), r.loss(), 1e-12, "the loss is the batch mean: Σ over micro-batches of loss/m");
        for (var e : split.namedParameters().entrySet()) {
            Tensor a = ref.get(e.getKey());
            assertTrue(a.grad().equalsWithEps(e.getValue().grad(), 1e-10),
                    "gradient of " + e.getKey() + " differs from the unsplit model's");
            assertTrue(a.value().equalsWithEps(e.getValue().value(), 1e-10),
                    "updated weight " + e.getKey() + " differs from the unsplit model's");
        }
        assertEquals(before.keySet(), split.namedParameters().keySet());
        for (int s = 0; s < p; s++) {
            int stage = s;
            int fwd = (int) r.events().stream()
                    .filter(ev -> ev.stage() == stage && ev.type() == StageEvent.Type.FORWARD).count();
            assertEquals(m * schedule.chunks(), fwd, "each micro-batch goes forward once per chunk on stage " + s);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void gptLossGradientsAndAdamWWeightsEqualTheUnsplitModel(PipelineSchedule schedule) {
        GPTConfig cfg = new GPTConfig(11, 8, 3, 2, 16, 0.0, DataType.DOUBLE, 5);
        int b = 6, t = 8, m = 3, p = 2;
        Random r = new Random(9);
        int[][] ids = new int[b][t], tg = new int[b][t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) {
            ids[i][j] = r.nextInt(11);
            tg[i][j] = r.nextInt(11);
        }
        INDArray x = Nd4j.createFromArray(ids), y = Nd4j.createFromArray(tg);

        GPT reference = new GPT(cfg);
        Tensor loss = reference.loss(x, y);
        loss.backward();
        Map<String, INDArray> grads = new java.util.HashMap<>();
        reference.namedParameters().forEach((k, v) -> grads.put(k, v.grad().dup()));
        Adam.adamW(reference.parameters(), 0.01, 0.1).step();

        GPT split = new GPT(cfg);
        PipelineRunner runner = new PipelineRunner(StagedModel.of(split), p, schedule)
                .optimizer(params -> Adam.adamW(params, 0.01, 0.1));
        PipelineResult res = runner.step(x, y, m);
        assertEquals(loss.item(), res.loss(), 1e-12);
        for (var e : split.namedParameters().entrySet()) {
            assertTrue(grads.get(e.getKey()).equalsWithEps(e.getValue().grad(), 1e-10), "gradient of " + e.getKey());
            assertTrue(reference.parameter(e.getKey()).value().equalsWithEps(e.getValue().value(), 1e-10),
                    "AdamW-updated " + e.getKey());
        }
    }

    @Test
    void badInputGetsClearErrors() {
        StagedModel model = StagedModel.of(mlp(3));
        var e1 = assertThrows(IllegalArgumentException.class, () -> new PipelineRunner(model, 4, new GPipeSchedule()));
        assertTrue(e1.getMessage().contains("more stages than layers"), e1.getMessage());
        PipelineRunner runner = new PipelineRunner(model, 2, new OneFOneBSchedule());
        INDArray x = features(10), y = labels(10, 4);
        var e2 = assertThrows(IllegalArgumentException.class, () -> runner.step(x, y, 0));
        assertTrue(e2.getMessage().contains("at least 1 micro-batch"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> runner.step(x, y, 3));
        assertTrue(e3.getMessage().contains("[1, 2, 5, 10]"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> new GPipeSchedule().ops(2, 0));
        assertTrue(e4.getMessage().contains("at least 1 micro-batch"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class,
                () -> new PipelineRunner(model, new int[]{0, 0, 3}, new GPipeSchedule()));
        assertTrue(e5.getMessage().contains("empty"), e5.getMessage());
    }

    @Test
    void activationMemoryGPipeHoldsAllMicroBatchesOneFOneBAtMostP() {
        int p = 3, m = 6;
        StagedModel model = StagedModel.of(mlp(6));
        INDArray x = features(12), y = labels(12, 4);
        PipelineResult g = new PipelineRunner(model, p, new GPipeSchedule()).step(x, y, m);
        PipelineResult o = new PipelineRunner(model, p, new OneFOneBSchedule()).step(x, y, m);
        for (int s = 0; s < p; s++) {
            assertEquals(m, g.peakInFlight()[s], "GPipe stage " + s + " holds every micro-batch at the turn");
            assertEquals(p - s, o.peakInFlight()[s], "1F1B stage " + s + " holds p - s micro-batches");
            assertTrue(o.peakActivationBytes()[s] * m <= g.peakActivationBytes()[s] * (p - s) + 1,
                    "measured bytes scale with the micro-batches held");
        }
    }
}
