package org.bigmodels.memory;

import static org.junit.jupiter.api.Assertions.*;

import org.bigmodels.nn.ModelMath;
import org.junit.jupiter.api.Test;

/** The 3D layout's arithmetic against hand-computed values (closed forms) and its bad-input errors. */
class ParallelLayoutTest {
    @Test
    void gpt3OnMegatronLayout() {
        var l = new ParallelLayout(ModelMath.GPT3, 12, 8, 8, 1, 64, true);
        assertEquals(768, l.devices());
        // all parameters across the p·t devices of one replica add up to the model (embeddings counted once per
        // tensor slice of the first stage, so per device on average: Ψ/(p·t) plus the embeddings' share)
        double c = 12288, blocks = 96 * (12 * c * c + 13 * c), emb = (50257.0 + 2048) * c;
        assertEquals((blocks / 8 + emb) / 8, l.parametersPerDevice(), 1);
        assertEquals(7.0 / 71.0, l.bubble(), 1e-12);
        assertEquals(4 * l.parametersPerDevice() + 12 * l.parametersPerDevice() / 12, l.modelStateBytes(), 1);
        assertTrue(l.modelStateBytes() / (1L << 30) < 80, "fits an 80 GB accelerator");
        var plain = new ParallelLayout(ModelMath.GPT3, 1, 1, 1, 1, 1, false);
        assertEquals(16 * plain.parametersPerDevice(), plain.modelStateBytes(), 1);
        assertEquals(0, plain.communicationBytes());
        assertEquals(0, plain.bubble());
    }

    @Test
    void badInputs() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ParallelLayout(ModelMath.GPT3, 1, 97, 1, 1, 1, false));
        assertTrue(e.getMessage().contains("stages"));
        e = assertThrows(IllegalArgumentException.class, () -> new ParallelLayout(ModelMath.GPT3, 1, 1, 7, 1, 1, false));
        assertTrue(e.getMessage().contains("must divide"));
        assertThrows(IllegalArgumentException.class, () -> new ParallelLayout(ModelMath.GPT3, 1, 1, 1, 1, 0, false));
    }
}
