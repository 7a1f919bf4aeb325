package org.bigmodels.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Recomputation against the plain model: the same loss and bit-identical gradients for every parameter (the same
 * operations on the same values), fewer activation bytes held by the graph, one recomputation per block per backward.
 */
class ActivationCheckpointTest {
    static final GPTConfig CFG = new GPTConfig(13, 8, 3, 1, 7, 0.0, DataType.DOUBLE, 5);

    @Test
    void identicalGradientsAndLessActivationMemory() {
        GPT model = new GPT(CFG);
        Batch b = ZeroEquivalenceTest.batch(0, 0);
        Tensor plain = ActivationCheckpoint.gptLoss(model, b.x(), b.y(), blk -> blk);
        assertEquals(model.loss(b.x(), b.y()).item(), plain.item(), 0.0, "the written-out GPT loss must be GPT.loss");
        long plainBytes = MemoryAccount.activationBytes(plain);
        plain.backward();
        List<INDArray> expected = model.parameters().stream().map(p -> p.grad().dup()).toList();
        model.zeroGrad();
        List<ActivationCheckpoint> cps = new java.util.ArrayList<>();
        Tensor ckpt = ActivationCheckpoint.gptLoss(model, b.x(), b.y(), blk -> {
            var c = new ActivationCheckpoint(blk);
            cps.add(c);
            return c;
        });
        long ckptBytes = MemoryAccount.activationBytes(ckpt);
        ckpt.backward();
        assertEquals(plain.item(), ckpt.item(), 0.0);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), model.parameters().get(i).grad(), "gradient of parameter " + i
                    + " differs with recomputation");
        }
        assertTrue(ckptBytes < plainBytes / 2, "checkpointed graph holds " + ckptBytes + " B vs " + plainBytes);
        cps.forEach(c -> assertEquals(1, c.recomputations()));
    }

    @Test
    void badInputs() {
        assertThrows(IllegalArgumentException.class, () -> new ActivationCheckpoint(null));
        GPT model = new GPT(CFG.withDropout(0.2));
        Batch b = ZeroEquivalenceTest.batch(0, 0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ActivationCheckpoint.gptLoss(model, b.x(), b.y(), ActivationCheckpoint::new));
        assertTrue(e.getMessage().contains("dropout 0"));
    }
}
