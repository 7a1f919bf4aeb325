package org.bigmodels.tensorparallel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Inputs the tensor-parallel model must treat as the dense one does (regressions from the adversarial review,
 * BREAK-1 minor items): non-finite logits in the vocabulary-parallel loss give the dense {@link Ops#crossEntropy}'s
 * loss and gradient (bit for bit in double, NaN where it is NaN); a GPT with dropout is refused, as StagedModel does.
 */
class TensorParallelInputTest {
    @Test
    void nonFiniteLogitsGiveTheDenseCrossEntropysResult() {
        for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN}) {
            INDArray z = Nd4j.rand(DataType.DOUBLE, 3, 4);
            z.putScalar(0, 2, bad);
            INDArray tg = Nd4j.createFromArray(1, 2, 3);
            Tensor dense = new Tensor(z.dup(), true);
            Tensor ld = Ops.crossEntropy(dense, tg);
            ld.backward();
            List<double[]> got = ThreadCommunicator.run(2, 10_000, comm -> {
                int r = comm.rank();
                Tensor lz = new Tensor(z.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * r, 2 * r + 2)).dup(), true);
                Tensor l = VocabParallelCrossEntropy.loss(lz, tg, comm);
                l.backward();
                double[] out = new double[7];
                out[0] = l.item();
                double[] g = lz.grad().dup('c').data().asDouble();
                System.arraycopy(g, 0, out, 1, 6);
                return out;
            });
            for (int r = 0; r < 2; r++) {
                assertEquals(ld.item(), got.get(r)[0], 1e-12, "logit " + bad + ": loss on rank " + r);
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2; j++) {
                        assertEquals(dense.grad().getDouble(i, 2 * r + j), got.get(r)[1 + 2 * i + j], 1e-12,
                                "logit " + bad + ": gradient [" + i + ", " + (2 * r + j) + "]");
                    }
                }
            }
        }
    }

    @Test
    void aGptWithDropoutIsRefusedLikeStagedModel() {
        GPT withDropout = new GPT(GPTConfig.tiny(16).withDropout(0.5));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TensorParallelGPT(withDropout, ThreadCommunicator.group(1).get(0)));
        assertTrue(e.getMessage().contains("dropout") && e.getMessage().contains("withDropout(0)"), e.getMessage());
        new TensorParallelGPT(new GPT(GPTConfig.tiny(16)), ThreadCommunicator.group(1).get(0)); // dropout 0: accepted
    }
}
