package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** AdamKernel's single loop against Adam's ND4J calls (the same formula), for AdamW and Adam with L2, over steps. */
class AdamKernelTest {

    @AfterEach
    void restore() {
        AdamKernel.DISABLED = false;
    }

    @Test
    void loopMatchesTheNd4jCalls() {
        for (boolean decoupled : new boolean[] {true, false}) {
            INDArray fast = run(decoupled, false), plain = run(decoupled, true);
            double err = fast.sub(plain).amaxNumber().doubleValue();
            assertTrue(err <= 1e-6, (decoupled ? "AdamW" : "Adam+L2") + ": max |loop - ND4J| = " + err);
            assertTrue(fast.sub(Nd4j.linspace(-1, 1, 12, DataType.FLOAT).reshape(3, 4)).amaxNumber().doubleValue() > 1e-3,
                    "the weights moved");
        }
    }

    /**
     * A parameter longer than two chunks and not a multiple of one ({@link AdamKernel#CHUNK}): every chunk, the last
     * partial one included, must be read, updated and written back at its own place (an offset slip leaves elements
     * unmoved or moves them twice).
     */
    @Test
    void loopMatchesTheNd4jCallsAcrossChunks() {
        int n = 2 * AdamKernel.CHUNK + 37;
        INDArray[] out = new INDArray[2];
        for (int k = 0; k < 2; k++) {
            AdamKernel.DISABLED = k == 1;
            Tensor w = Tensor.param(Nd4j.linspace(-1, 1, n, DataType.FLOAT).reshape(1, n).dup('c'));
            Adam adam = Adam.adamW(List.of(w), 0.05, 0.9, 0.99, 1e-8, 0.1);
            for (int s = 0; s < 3; s++) {
                adam.zeroGrad();
                INDArray g = Nd4j.linspace(2 + s, -3, n, DataType.FLOAT).reshape(1, n).dup('c');
                g.muli(org.nd4j.linalg.ops.transforms.Transforms.sin(Nd4j.linspace(1, n, n, DataType.FLOAT).reshape(1, n), true));
                w.accumulateGrad(g);
                adam.step();
            }
            out[k] = w.value().dup();
        }
        double err = out[0].sub(out[1]).amaxNumber().doubleValue();
        assertTrue(err <= 1e-6, "AdamW over " + n + " elements: max |chunked loop - ND4J| = " + err);
    }

    /** Five steps on w [3, 4] (decays) and b [4] (does not) with fixed gradients; returns w. */
    private static INDArray run(boolean decoupled, boolean nd4j) {
        AdamKernel.DISABLED = nd4j;
        Tensor w = Tensor.param(Nd4j.linspace(-1, 1, 12, DataType.FLOAT).reshape(3, 4).dup('c'));
        Tensor b = Tensor.param(Nd4j.linspace(0, 1, 4, DataType.FLOAT));
        Adam adam = decoupled ? Adam.adamW(List.of(w, b), 0.05, 0.9, 0.99, 1e-8, 0.1)
                : Adam.adam(List.of(w, b), 0.05, 0.9, 0.99, 1e-8, 0.1);
        for (int s = 0; s < 5; s++) {
            adam.zeroGrad();
            INDArray gw = Nd4j.linspace(-0.5 + s, 0.7 + s, 12, DataType.FLOAT).reshape(3, 4).dup('c');
            w.accumulateGrad(gw);
            b.accumulateGrad(Nd4j.linspace(0.1, 0.4 * (s + 1), 4, DataType.FLOAT));
            adam.step();
        }
        return w.value().dup();
    }
}
