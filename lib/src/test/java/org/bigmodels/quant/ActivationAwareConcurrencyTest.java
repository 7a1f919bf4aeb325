package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two threads quantizing the same GPT at once (AWQ's clipping, and scaling + clipping): each gets the single-threaded
 * result, and the model passed in keeps its training mode (the capture of calibration inputs switches it to
 * evaluation and back; interleaved, one thread's restore used to leave the model in evaluation mode).
 */
class ActivationAwareConcurrencyTest {

    static boolean same(GPT a, GPT b) {
        var pb = b.namedParameters();
        return a.namedParameters().entrySet().stream().allMatch(e -> e.getValue().value().equals(pb.get(e.getKey()).value()));
    }

    @Test
    void twoThreadsOnOneModel() throws Exception {
        GPT gpt = new GPT(GPTConfig.tiny(11).withNLayer(1).withNEmbd(16, 2).withBlockSize(8).withSeed(3));
        INDArray calib = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}});
        GPT clipRef = ActivationAwareClipping.quantize(gpt, calib, 3, 8);
        GPT awqRef = ActivationAwareScaling.quantize(gpt, calib, 3, 8, 3, true).model();
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            for (int t = 0; t < 150; t++) {
                gpt.train(true);
                Future<GPT> a = ex.submit(() -> ActivationAwareClipping.quantize(gpt, calib, 3, 8));
                Future<GPT> b = ex.submit(() -> ActivationAwareScaling.quantize(gpt, calib, 3, 8, 3, true).model());
                assertTrue(same(clipRef, a.get(60, TimeUnit.SECONDS)), "clipping, round " + t);
                assertTrue(same(awqRef, b.get(60, TimeUnit.SECONDS)), "AWQ, round " + t);
                assertTrue(gpt.isTraining(), "round " + t + ": the model was left in evaluation mode");
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
