package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.*;

import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Review finding 8: inside the Trainer a step's op results are arena arrays that the next step overwrites; the
 * documented way out is {@code detach()}, a copy outside the arena. A teacher's soft targets computed once at step 0
 * and kept detached must be unchanged after three more steps, equal to the same softmax computed outside any Trainer.
 */
class ArenaKeptResultTest {

    @Test
    void aDetachedResultKeptAcrossTrainerStepsDoesNotChange() {
        INDArray[] d = GradientCheckBeforeStepTest.blobs(16);
        MLP student = GradientCheckBeforeStepTest.mlp();
        MLP teacher = new MLP(new long[] {2, 4, 2}, Activation.RELU, DataType.FLOAT, 9);
        double[] expected;
        try (var off = Tensor.noGrad()) { // outside any arena: the reference
            expected = teacher.forward(Tensor.of(d[0])).softmax().value().dup('c').reshape(32).toDoubleVector();
        }
        Tensor[] soft = new Tensor[1];
        Trainer t = new Trainer(student, new SGD(student.parameters(), 0.1), TrainConfig.defaults().withProgress(false));
        t.fitSteps(4, s -> new Batch(d[0], d[1]), b -> {
            if (soft[0] == null) {
                try (var off = Tensor.noGrad()) {
                    soft[0] = teacher.forward(Tensor.of(b.x())).softmax().detach(); // kept across steps
                }
            }
            Tensor logp = student.forward(Tensor.of(b.x())).logSoftmax();
            return logp.mul(soft[0]).sum().mul(-1.0 / 16); // distillation loss
        }, null);
        assertArrayEquals(expected, soft[0].value().dup('c').reshape(32).toDoubleVector(), 0.0,
                "the detached teacher targets changed across Trainer steps (detach() copied into the arena?)");
    }
}
