package org.bigmodels.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

class FlopsTest {

    @Test
    void leNetStepMatchesTheHandCount() {
        MLP lenet = MLP.of(784, 300, 100, 10);
        double matmulTerms = 784 * 300 + 300 * 100 + 100 * 10;
        // forward 2 FLOPs per weight and example; backward: weight gradients for all three layers,
        // input gradients only for layers 2 and 3 (the first layer's input is the data)
        assertEquals(128 * 2 * matmulTerms, Flops.forward(lenet, 128));
        assertEquals(128 * (2 * matmulTerms + 2.0 * (300 * 100 + 100 * 10)), Flops.backward(lenet, 128));
        assertEquals(128 * (2.0 * matmulTerms * 2 + 2.0 * (300 * 100 + 100 * 10)), Flops.trainingStep(lenet, 128));
    }

    /** Counts the GPT's products by walking its parameters: every rank-2 weight outside the embeddings is a product. */
    private static double forwardByWalkingParameters(GPT model, long batch, long tokens) {
        double f = 0;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            long[] s = e.getValue().shape();
            if (s.length == 2 && !e.getKey().startsWith("wte") && !e.getKey().startsWith("wpe")) {
                f += 2.0 * batch * tokens * s[0] * s[1];
            }
        }
        int blocks = model.blocks().size();
        long width = model.config().nEmbd();
        for (int i = 0; i < blocks; i++) {
            f += 2 * (2.0 * batch * tokens * tokens * width); // q.k^T [T, C]x[C, T] and weights.v [T, T]x[T, C]
        }
        return f;
    }

    @ParameterizedTest
    @CsvSource({"11,8,1,2,16,3,8", "65,16,2,4,32,2,5", "7,5,3,3,48,1,1"})
    void gptCountMatchesAWalkOverItsWeights(int vocab, int blockSize, int nLayer, int nHead, int nEmbd, int batch,
                                            int tokens) {
        GPT model = new GPT(new GPTConfig(vocab, blockSize, nLayer, nHead, nEmbd, 0.0, DataType.FLOAT, 1));
        double walk = forwardByWalkingParameters(model, batch, tokens);
        assertEquals(walk, Flops.forward(model, batch, tokens), 1e-9 * walk);
        assertEquals(2 * walk, Flops.backward(model, batch, tokens), 1e-9 * walk);
        assertEquals(3 * walk, Flops.trainingStep(model, batch, tokens), 1e-9 * walk);
    }

    @Test
    void perTokenAtFullContextIsModelMathsEstimateWithoutTheNonMatmulParameters() {
        GPTConfig config = new GPTConfig(65, 32, 2, 4, 64, 0.0, DataType.FLOAT, 1);
        GPT model = new GPT(config);
        // parameters that are not the weight of a product: embeddings, biases, layer norms
        long notInProducts = model.namedParameters().entrySet().stream()
                .filter(e -> e.getValue().rank() != 2 || e.getKey().startsWith("wte") || e.getKey().startsWith("wpe"))
                .mapToLong(e -> e.getValue().value().length()).sum();
        double perToken = Flops.trainingStep(model, 4, config.blockSize()) / (4.0 * config.blockSize());
        double estimate = ModelMath.of(config).trainingFlopsPerTokenWithAttention();
        assertEquals(estimate - 6.0 * notInProducts, perToken, 1e-6 * perToken);
    }

    @Test
    void badSizesAreRefused() {
        GPTConfig config = new GPTConfig(11, 8, 1, 2, 16, 0.0, DataType.FLOAT, 1);
        assertThrows(IllegalArgumentException.class, () -> Flops.forward(config, 1, 9));
        assertThrows(IllegalArgumentException.class, () -> Flops.forward(config, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> Flops.forward(MLP.of(4, 2), 0));
    }
}
