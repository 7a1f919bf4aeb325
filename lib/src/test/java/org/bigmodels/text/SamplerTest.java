package org.bigmodels.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SamplerTest {

    @Test
    void distributionIsSoftmaxOfLogitsOverTemperature() {
        double[] logits = {1.0, 2.0, 0.5};
        double temp = 0.7;
        double z = 0;
        for (double l : logits) z += Math.exp(l / temp);
        double[] p = Sampler.distribution(logits, temp, 0);
        for (int i = 0; i < 3; i++) assertEquals(Math.exp(logits[i] / temp) / z, p[i], 1e-12);
    }

    @Test
    void topKKeepsOnlyTheKLargest() {
        double[] p = Sampler.distribution(new double[] {3, 1, 4, 1.5, 2}, 1.0, 2);
        assertEquals(0, p[1]);
        assertEquals(0, p[3]);
        assertEquals(0, p[4]);
        assertEquals(Math.exp(3) / (Math.exp(3) + Math.exp(4)), p[0], 1e-12);
        assertEquals(1.0, p[0] + p[2], 1e-12);
    }

    @Test
    void drawsFollowTheDistribution() {
        double[] logits = {0.0, 1.0, -1.0, 0.5};
        double[] p = Sampler.distribution(logits, 1.0, 0);
        int[] counts = new int[4];
        Random rng = new Random(5);
        int n = 40_000;
        for (int i = 0; i < n; i++) counts[Sampler.sampleNext(logits, 1.0, 0, rng)]++;
        for (int i = 0; i < 4; i++) assertEquals(p[i], counts[i] / (double) n, 0.01, "token " + i);
    }

    @Test
    void badKnobsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sampler.distribution(new double[] {1}, 0.0, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.distribution(new double[] {1}, 1.0, -1));
    }

    static GPT tinyModel() {
        return new GPT(new GPTConfig(11, 8, 1, 2, 16, 0.1, DataType.FLOAT, 3));
    }

    @Test
    void greedyGenerationTakesTheArgmaxOfTheLastPositionOverACroppedContext() {
        GPT model = tinyModel();
        int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; // longer than blockSize 8: must be cropped
        int[] out = Sampler.generate(model, prompt, 3, 1.0, 1, new Random(1));
        assertEquals(13, out.length);
        assertArrayEquals(prompt, Arrays.copyOf(out, 10));
        model.train(false);
        try (var off = Tensor.noGrad()) {
            for (int n = 10; n < 13; n++) {
                int[] ctx = Arrays.copyOfRange(out, n - 8, n);
                var logits = model.forward(Nd4j.createFromArray(ctx).reshape(1, 8)).value()
                        .get(NDArrayIndex.point(0), NDArrayIndex.point(7), NDArrayIndex.all());
                assertEquals(logits.argMax().getInt(0), out[n], "token " + n);
            }
        }
    }

    @Test
    void seededAndRestoresTrainingMode() {
        GPT model = tinyModel();
        model.train(true);
        int[] a = Sampler.generate(model, new int[] {0}, 20, 1.0, 0, new Random(42));
        int[] b = Sampler.generate(model, new int[] {0}, 20, 1.0, 0, new Random(42));
        assertArrayEquals(a, b);
        assertTrue(model.isTraining());
        assertTrue(Tensor.isGradEnabled());
        for (int v : a) assertTrue(v >= 0 && v < 11);
        model.train(false);
        Sampler.generate(model, new int[] {0}, 2, 1.0, 0, new Random(42));
        assertFalse(model.isTraining());
    }

    @Test
    void textVersionRoundTripsThePrompt() {
        CharTokenizer tok = CharTokenizer.fit("abcdefghijk");
        String s = Sampler.generate(tinyModel(), tok, "abc", 5, 0.8, 3, new Random(2));
        assertEquals(8, s.length());
        assertTrue(s.startsWith("abc"));
    }

    @Test
    void nextTokenLogitsAreTheLastRowOfTheForwardPassOverTheCroppedContext() {
        GPT model = tinyModel();
        model.train(true);
        int[] context = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; // longer than blockSize 8
        double[] got = Sampler.nextTokenLogits(model, context);
        assertTrue(model.isTraining(), "the model's mode is restored");
        model.train(false);
        double[] expected;
        try (var off = Tensor.noGrad()) {
            expected = model.forward(Nd4j.createFromArray(Arrays.copyOfRange(context, 2, 10)).reshape(1, 8)).value()
                    .get(NDArrayIndex.point(0), NDArrayIndex.point(7), NDArrayIndex.all()).toDoubleVector();
        }
        assertArrayEquals(expected, got, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Sampler.nextTokenLogits(model, new int[0]));
    }
}
