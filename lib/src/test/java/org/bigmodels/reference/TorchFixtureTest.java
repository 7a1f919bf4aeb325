package org.bigmodels.reference;

import static org.bigmodels.reference.ReferenceWeights.flat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.MLP;
import org.bigmodels.nn.Module;
import org.bigmodels.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine against PyTorch 1.13 on fixtures written once by tools/fixtures/make_torch_fixtures.py (see
 * src/test/resources/fixtures/README.md): a small GPT (vocab 65, blockSize 16, 2 layers, 2 heads, width 32, batch 3)
 * and LeNet-300-100 (batch 8). The engine loads the same float32 weights and must reproduce the logits, the loss and
 * every parameter gradient.
 *
 * <p>Tolerance: max |engine - torch| <= 1e-5 x max |torch|, per tensor. Both sides compute in float32 (unit
 * roundoff 6e-8) but sum in different orders (BLAS blocking, fused versus separate ops); through reductions of up to
 * 784 terms and a few layers the measured disagreement is at most 9e-7 of the tensor's scale (printed by the test),
 * so 1e-5 leaves a margin of ten for other BLAS builds, while a wrong constant, epsilon or scale moves values by 1e-3
 * or more.
 * Python is never needed to run this test.
 */
class TorchFixtureTest {
    static final double RTOL = 1e-5;

    static Map<String, INDArray> fixture(String name) {
        URL url = TorchFixtureTest.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource fixtures/" + name + "; regenerate it with "
                    + "/usr/bin/python3 tools/fixtures/make_torch_fixtures.py");
        }
        try {
            return Checkpoint.read(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies every parameter from the fixture into the model; the names and shapes must match exactly. */
    static void loadWeights(Module model, Map<String, INDArray> fx) {
        Set<String> inFixture = new LinkedHashSet<>();
        fx.keySet().forEach(k -> {
            if (k.startsWith("grad.")) inFixture.add(k.substring(5));
        });
        assertEquals(model.namedParameters().keySet(), inFixture,
                "the fixture's parameter names must be the engine's (torch twin out of date?)");
        model.namedParameters().forEach((n, p) -> {
            INDArray v = fx.get(n);
            assertArrayEquals(p.shape(), v.shape(), "shape of " + n + " (a Linear weight is [in, out])");
            p.value().assign(v.castTo(p.dataType()));
        });
    }

    /** max |actual - expected| / max |expected|, or infinity when anything is NaN. */
    static double relError(INDArray expected, INDArray actual) {
        double[] e = flat(expected), a = flat(actual);
        assertEquals(e.length, a.length, "element count");
        double scale = 0, err = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            double d = Math.abs(a[i] - e[i]);
            err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
        }
        return err / Math.max(scale, Double.MIN_NORMAL);
    }

    static void assertMatchesTorch(String what, INDArray torch, INDArray engine) {
        assertArrayEquals(torch.shape(), engine.shape(), what + ": shape");
        double rel = relError(torch, engine);
        System.out.printf("TorchFixtureTest %-34s max|engine - torch| / max|torch| = %.2e%n", what, rel);
        if (!(rel <= RTOL)) {
            throw new AssertionError(what + ": engine differs from PyTorch by " + rel + " of the tensor's largest "
                    + "magnitude, allowed " + RTOL);
        }
    }

    static void compareGradients(Module model, Map<String, INDArray> fx) {
        model.namedParameters().forEach((n, p) ->
                assertMatchesTorch("grad." + n, fx.get("grad." + n), p.grad()));
    }

    static GPTConfig config(Map<String, INDArray> fx, DataType type) {
        long[] c = fx.get("config").toLongVector(); // vocab, blockSize, nLayer, nHead, nEmbd
        return new GPTConfig((int) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4], 0.0, type, 0);
    }

    @Test
    void gptMatchesPyTorch() {
        Map<String, INDArray> fx = fixture("gpt-torch.bmck");
        GPT gpt = new GPT(config(fx, DataType.FLOAT));
        gpt.train(false);
        loadWeights(gpt, fx);
        INDArray ids = fx.get("ids"), targets = fx.get("targets");
        Tensor logits = gpt.forward(ids);
        assertMatchesTorch("GPT logits", fx.get("logits"), logits.value());
        Tensor loss = Ops.crossEntropy(logits, targets);
        assertMatchesTorch("GPT loss", fx.get("loss").reshape(1), loss.value().reshape(1));
        loss.backward();
        compareGradients(gpt, fx);
    }

    @Test
    void lenet300100MatchesPyTorch() {
        Map<String, INDArray> fx = fixture("lenet300100-torch.bmck");
        MLP mlp = MLP.of(784, 300, 100, 10);
        loadWeights(mlp, fx);
        Tensor logits = mlp.forward(Tensor.of(fx.get("images")));
        assertMatchesTorch("LeNet logits", fx.get("logits"), logits.value());
        Tensor loss = Ops.crossEntropy(logits, fx.get("targets"));
        assertMatchesTorch("LeNet loss", fx.get("loss").reshape(1), loss.value().reshape(1));
        loss.backward();
        compareGradients(mlp, fx);
    }

    /**
     * The two references agree with each other: PyTorch's GPT logits and loss against {@link NaiveReference} run in
     * double on the fixture's weights (a mistake in the naive reference's reading of the architecture shows here).
     */
    @Test
    void naiveReferenceMatchesPyTorchGpt() {
        Map<String, INDArray> fx = fixture("gpt-torch.bmck");
        GPTConfig cfg = config(fx, DataType.FLOAT);
        var w = ReferenceWeights.gpt(fx, cfg.nLayer());
        int[][] ids = ReferenceWeights.ids(fx.get("ids")), targets = ReferenceWeights.ids(fx.get("targets"));
        double[][][] logits = NaiveReference.gptLogits(ids, w, cfg.nHead(), ForwardReferenceTest.LN_EPS);
        assertMatchesTorch("naive GPT logits", fx.get("logits"),
                Nd4j.create(flat(logits), fx.get("logits").shape(), 'c'));
        double loss = NaiveReference.gptLoss(ids, targets, w, cfg.nHead(), ForwardReferenceTest.LN_EPS);
        assertMatchesTorch("naive GPT loss", fx.get("loss").reshape(1), Nd4j.createFromArray(loss));
    }
}
