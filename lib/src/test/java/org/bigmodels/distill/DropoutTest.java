package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {
    @Test
    void dropsAboutPScalesTheRestAndPassesTheSameMaskBackward() {
        Dropout d = new Dropout(0.3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 200, 50).addi(1); // all in [1, 2): no true zeros
        for (int rep = 0; rep < 2; rep++) {                      // the second forward reuses the mask array
            Tensor in = Tensor.param(x.dup());
            Tensor out = d.forward(in);
            Ops.sum(out).backward();
            double[] o = out.value().data().asDouble(), xi = x.data().asDouble(), g = in.grad().data().asDouble();
            int zeros = 0;
            for (int i = 0; i < o.length; i++) {
                if (o[i] == 0) {
                    zeros++;
                    assertEquals(0, g[i], 0, "a dropped element must get no gradient");
                } else {
                    assertEquals(xi[i] / 0.7, o[i], 1e-12, "a kept element must be scaled by 1/(1-p)");
                    assertEquals(1 / 0.7, g[i], 1e-12, "a kept element's gradient is 1/(1-p)");
                }
            }
            double frac = zeros / (double) o.length;
            assertTrue(Math.abs(frac - 0.3) < 0.02, "expected about 30 % dropped, got " + frac);
        }
        d.train(false);
        Tensor in = Tensor.of(x);
        assertTrue(d.forward(in) == in, "evaluation mode must be the identity");
    }
}
