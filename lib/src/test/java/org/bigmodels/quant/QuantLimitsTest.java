package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Limits that used to fail late or silently: search grids too large to finish, an integer forward whose outputs do
 * not fit one Java array (the int index n * out wrapped around), and a plain RTN copy of a GPT made while another
 * thread captures its calibration inputs (the copy took the capture's temporary evaluation mode).
 */
class QuantLimitsTest {

    @Test
    void gridsBeyondTheLimitAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationAwareClipping.ratios(ActivationAwareClipping.MAX_GRID + 1, 0.5));
        assertTrue(e.getMessage().contains("1.." + ActivationAwareClipping.MAX_GRID), e.getMessage());
        assertEquals(500, ActivationAwareClipping.ratios(ActivationAwareClipping.MAX_GRID, 0.5).length);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 4), w = Nd4j.rand(DataType.DOUBLE, 4, 2);
        assertThrows(IllegalArgumentException.class, () -> ActivationAwareScaling.search("l", x, w, 4, 4, ActivationAwareClipping.MAX_GRID + 1));
    }

    @Test
    void anIntegerForwardTooLargeForOneArrayIsRefusedBeforeAllocating() {
        int wide = 1 << 16;                                     // 65,536 outputs: 32,768 rows x wide = 2^31
        MLP model = new MLP(new long[] {1, wide}, Activation.RELU, DataType.FLOAT, 1);
        IntegerMLP im = IntegerMLP.quantize(model, Nd4j.rand(DataType.FLOAT, 4, 1));
        assertEquals(1, im.forwardInts(Nd4j.rand(DataType.FLOAT, 3, 1)).size(), "small batches still run");
        var e = assertThrows(IllegalArgumentException.class, () -> im.forwardInts(Nd4j.rand(DataType.FLOAT, 32768, 1)));
        assertTrue(e.getMessage().contains("batches of at most 32767 rows"), e.getMessage());
    }

    @Test
    void anRtnCopyDuringAnotherThreadsCaptureKeepsTheTrainingMode() throws Exception {
        GPT gpt = new GPT(GPTConfig.tiny(11).withNLayer(1).withNEmbd(16, 2).withBlockSize(8).withSeed(3));
        INDArray calib = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}});
        gpt.train(true);
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            for (int t = 0; t < 200; t++) {
                Future<?> capture = ex.submit(() -> LinearInputs.capture(gpt, () -> gpt.forward(calib)));
                Future<GPT> copy = ex.submit(() -> GroupwiseRTN.quantize(gpt, 4, 8));
                capture.get(60, TimeUnit.SECONDS);
                assertTrue(copy.get(60, TimeUnit.SECONDS).isTraining(), "round " + t + ": the RTN copy took the capture's evaluation mode");
                assertTrue(gpt.isTraining(), "round " + t + ": the model was left in evaluation mode");
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
