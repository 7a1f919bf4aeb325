package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.Random;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.Linear;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Group-wise RTN against a plain loop; the activation-aware variant against its closed form diag(s)^-1 Q(diag(s) W),
 * alpha = 0 being RTN exactly, and a clear win when one input channel is salient; captured Linear inputs against the
 * model's own logits; the GPT copies leave the float model alone.
 */
class GptWeightOnlyTest {

    static double[][] randn(int r, int c, long seed) {
        Random rng = new Random(seed);
        double[][] m = new double[r][c];
        for (double[] row : m) for (int j = 0; j < c; j++) row[j] = rng.nextGaussian();
        return m;
    }

    @Test
    void groupwiseRtnMatchesAPlainLoop() {
        int in = 8, out = 3, g = 4, bits = 3;
        double[][] w = randn(in, out, 1);
        INDArray got = GroupwiseRTN.quantize(Nd4j.createFromArray(w), bits, g);
        int qmax = (1 << bits) - 1;
        for (int j = 0; j < out; j++) {
            for (int g0 = 0; g0 < in; g0 += g) {
                double lo = 0, hi = 0;
                for (int i = g0; i < g0 + g; i++) {
                    lo = Math.min(lo, w[i][j]);
                    hi = Math.max(hi, w[i][j]);
                }
                double s = (hi - lo) / qmax;
                long z = Math.max(0, Math.min(qmax, Math.round(-lo / s)));
                for (int i = g0; i < g0 + g; i++) {
                    long q = Math.max(0, Math.min(qmax, (long) Math.rint(w[i][j] / s) + z));
                    assertEquals(s * (q - z), got.getDouble(i, j), 1e-12, "element (" + i + "," + j + ")");
                }
            }
        }
    }

    @Test
    void scaledQuantizationIsTheClosedFormAndAlphaZeroIsRtn() {
        INDArray w = Nd4j.createFromArray(randn(8, 4, 2));
        double[] s = {1, 2, 0.5, 4, 1, 1, 3, 0.25};
        INDArray got = ActivationAwareScaling.quantizeScaled(w, s, 4, 4);
        INDArray sw = w.dup();
        for (int i = 0; i < 8; i++) sw.getRow(i).muli(s[i]);
        INDArray q = GroupwiseRTN.quantize(sw, 4, 4);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 4; j++) assertEquals(q.getDouble(i, j) / s[i], got.getDouble(i, j), 1e-12);
        }
        double[] ones = ActivationAwareScaling.scales(new double[] {0.1, 5, 2, 7, 1, 1, 1, 1}, 0);
        for (double o : ones) assertEquals(1, o, 0);
        assertEquals(0, ActivationAwareScaling.quantizeScaled(w, ones, 4, 4).sub(GroupwiseRTN.quantize(w, 4, 4))
                .amaxNumber().doubleValue(), 0, "alpha = 0 must be plain RTN");
        double[] sc = ActivationAwareScaling.scales(new double[] {1, 4, 16}, 0.5); // 1, 2, 4 / sqrt(4*1) = 0.5, 1, 2
        assertArrayEquals(new double[] {0.5, 1, 2}, sc, 1e-12);
    }

    @Test
    void aSalientChannelIsProtected() {
        int n = 256, in = 32, out = 16;
        double[][] x = randn(n, in, 3);
        for (double[] row : x) row[5] *= 30; // one channel carries large activations
        INDArray xs = Nd4j.createFromArray(x);
        INDArray w = Nd4j.createFromArray(randn(in, out, 4));
        var r = ActivationAwareScaling.search("layer", xs, w, 3, 16, 20);
        assertTrue(r.alpha() > 0, "a salient channel should make alpha > 0: " + r);
        assertTrue(r.scaledError() < 0.8 * r.rtnError(), "expected a clearly lower output error than RTN: " + r);
        // the search's error (from the Gram matrix X^T X) against a plain loop over ||X W - X Ŵ||² / (N out)
        INDArray wq = GroupwiseRTN.quantize(w, 3, 16);
        double loop = 0;
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double d = 0;
                for (int j = 0; j < in; j++) d += x[i][j] * (w.getDouble(j, o) - wq.getDouble(j, o));
                loop += d * d;
            }
        }
        loop /= (double) n * out;
        assertEquals(loop, r.rtnError(), 1e-10 * loop);
        assertEquals(loop, ActivationAwareScaling.outputError(xs, w, wq), 1e-10 * loop);
    }

    @Test
    void capturedInputsReproduceTheLogitsAndCopiesLeaveTheModelAlone() {
        GPTConfig cfg = GPTConfig.tiny(11).withNLayer(2).withNEmbd(16, 2).withBlockSize(8).withDataType(DataType.DOUBLE);
        GPT gpt = new GPT(cfg);
        Nd4j.getRandom().setSeed(7);
        INDArray ids = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 0, 1}});
        Map<Linear, INDArray> in = LinearInputs.capture(gpt, () -> gpt.forward(ids));
        assertEquals(2 * 4 + 1, in.size(), "qkv, proj, mlp.0, mlp.2 per block, and the head");
        Linear head = LinearInputs.linears(gpt).get(LinearInputs.linears(gpt).size() - 1);
        INDArray logits = Trainer.inference(gpt, m -> gpt.forward(ids).value().dup());
        INDArray byHand = in.get(head).mmul(head.weight().value()).addRowVector(head.bias().value());
        assertEquals(0, byHand.sub(logits.reshape(12, 11)).amaxNumber().doubleValue(), 1e-10);

        INDArray before = gpt.parameter("blocks.0.attn.qkv.weight").value().dup();
        GPT rtn = GroupwiseRTN.quantize(gpt, 4, 8);
        var awq = ActivationAwareScaling.quantize(gpt, ids, 4, 8, 10);
        assertEquals(before, gpt.parameter("blocks.0.attn.qkv.weight").value(), "the float model must not change");
        assertEquals(8, awq.layers().size());
        for (var r : awq.layers()) assertTrue(r.scaledError() <= r.rtnError(), r.toString());
        assertNotEquals(before, rtn.parameter("blocks.0.attn.qkv.weight").value());
        assertEquals(gpt.parameter("head.weight").value(), rtn.parameter("head.weight").value(), "the head stays float");
        try (var off = Tensor.noGrad()) {
            assertTrue(Double.isFinite(awq.model().loss(ids, ids).item()));
        }
    }
}
