package org.bigmodels.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

class ModelMathTest {

    @ParameterizedTest
    @CsvSource({"11,8,1,2,16", "65,16,2,4,32", "7,5,3,3,48"})
    void formulaMatchesTheParametersOfARealGPT(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd) {
        GPTConfig config = new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, 0.0, DataType.FLOAT, 1);
        GPT model = new GPT(config);
        assertEquals(model.parameterCount(), ModelMath.parameterCount(config));
        assertEquals(model.parameterCount(), ModelMath.of(model).parameters());
        assertEquals(model.parameterCount(), ModelMath.parameterCount(vocabSize, blockSize, nLayer, nEmbd, false));
    }

    @Test
    void sizeOfAConfigKeepsEveryNanoGptName() {
        GPTConfig config = new GPTConfig(65, 32, 2, 4, 64, 0.0, DataType.FLOAT, 1);
        ModelMath.Size s = ModelMath.of("ours", config);
        assertEquals("ours", s.name());
        assertEquals(65, s.vocabSize());
        assertEquals(32, s.blockSize());
        assertEquals(2, s.nLayer());
        assertEquals(4, s.nHead());
        assertEquals(64, s.nEmbd());
        assertEquals(false, s.tiedHead());
        assertThrows(IllegalArgumentException.class, () -> new ModelMath.Size("bad", 65, 32, 2, 3, 64, false));
    }

    @Test
    void tyingTheHeadRemovesItsWeightsAndBias() {
        long untied = ModelMath.parameterCount(65, 16, 2, 32, false);
        long tied = ModelMath.parameterCount(65, 16, 2, 32, true);
        assertEquals(32 * 65 + 65, untied - tied);
    }

    @Test
    void gpt2SmallHasThePublishedCount() {
        // Hugging Face's gpt2 reports 124,439,808 parameters (lm_head tied to wte)
        assertEquals(124_439_808L, ModelMath.GPT2_SMALL.parameters());
    }

    @ParameterizedTest
    @CsvSource({"GPT-2 small,124e6", "GPT-2 medium,350e6", "GPT-2 large,774e6", "GPT-2 XL,1.5e9", "GPT-3 175B,175e9"})
    void presetsLandNearTheirNominalSizes(String name, double nominal) {
        ModelMath.Size s = ModelMath.presets().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        double rel = Math.abs(s.parameters() - nominal) / nominal;
        assertEquals(0, rel, 0.04, name + " has " + s.parameters());
    }

    @Test
    void trainingFlopsAreSixPerParameterPlusAttention() {
        assertEquals(6e6, ModelMath.trainingFlopsPerToken(1_000_000L));
        // GPT-3: attention's q.k^T and weights.v, 2*T*C each per token and layer forward, times 3 for training
        ModelMath.Size g = ModelMath.GPT3;
        assertEquals(3 * 2 * 2.0 * 96 * 2048 * 12288, g.trainingFlopsPerTokenWithAttention() - g.trainingFlopsPerToken(),
                1.0);
        // about 1.05e12 FLOPs per token, the 6N figure of the GPT-3 paper's compute estimate (3.14e23 over 300B tokens)
        assertEquals(3.14e23, g.trainingFlopsPerToken() * 300e9, 0.02 * 3.14e23);
    }

    @Test
    void adamMemoryIsFourCopiesOfTheWeights() {
        ModelMath.Memory m = ModelMath.adamTrainingMemory(1000, DataType.FLOAT);
        assertEquals(16_000, m.total());
        assertEquals(4_000, m.adamV());
        assertEquals(32_000, ModelMath.adamTrainingMemory(1000, DataType.DOUBLE).total());
        assertEquals(8_000, ModelMath.adamTrainingMemory(1000, DataType.HALF).total());
        assertEquals(16_000, ModelMath.mixedPrecisionAdamBytes(1000));
        assertEquals(1.0, ModelMath.gib(1L << 30));
    }

    @Test
    void tableHasOneRowPerModel() {
        var t = ModelMath.table(ModelMath.presets());
        assertEquals(5, t.rowCount());
        assertEquals(124_439_808L, t.longColumn("parameters").get(0));
        assertEquals(12, t.intColumn("nLayer").get(0));
        assertEquals(768, t.intColumn("nEmbd").get(0));
        assertEquals(12, t.intColumn("nHead").get(0));
        assertEquals(1024, t.intColumn("blockSize").get(0));
        assertEquals(50257, t.intColumn("vocabSize").get(0));
    }
}
