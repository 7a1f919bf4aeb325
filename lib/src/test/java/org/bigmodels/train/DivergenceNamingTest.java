package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fault kind 4 of issue 6 (in the Trainer): a non-finite gradient norm with a finite loss stops training with the
 * step and the parameter named, before the optimizer touches the weights.
 */
class DivergenceNamingTest {

    @Test
    void aNonFiniteGradientNamesTheStepAndTheParameter() {
        INDArray[] d = TrainingTest.blobs(32, 4);
        MLP m = new MLP(new long[] {2, 4, 2}, Activation.RELU, DataType.FLOAT, 1);
        String name = List.copyOf(m.namedParameters().keySet()).get(1); // the first layer's bias
        Tensor bias = m.parameter(name);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), TrainConfig.defaults().withProgress(false).withClipNorm(1.0));
        INDArray before = m.parameters().get(0).value().dup();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fitEpochs(d[0], d[1], 2, 8, b -> {
            Tensor ce = Ops.crossEntropy(m.forward(Tensor.of(b.x())), b.y());
            if (t.step() < 2) return ce;
            bias.value().assign(0);
            return ce.add(bias.pow(0.5).sum()); // sqrt at 0: a finite loss, an infinite gradient
        }, null));
        assertEquals(2, e.step());
        assertEquals(name, e.parameter());
        assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains(name), e.getMessage());
        assertTrue(e.getMessage().contains("gradient norm is Infinity"), e.getMessage());
        assertNotEquals(before, m.parameters().get(0).value(), "steps 0 and 1 trained");
    }
}
