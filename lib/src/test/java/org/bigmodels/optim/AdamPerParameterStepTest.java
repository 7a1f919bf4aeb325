package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 3 of issue 6: Adam's bias correction counts steps per parameter. A parameter whose first gradient
 * arrives at optimizer step 1000 gets a first update of lr·g/(|g| + eps), the closed form of Adam's first step.
 */
class AdamPerParameterStepTest {

    @Test
    void aParameterThatJoinsLateGetsAFirstStepOfAboutLr() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        Tensor early = Tensor.param(Nd4j.createFromArray(0.5, -0.3));
        Tensor late = Tensor.param(Nd4j.createFromArray(2.0, 1.0));
        Adam adam = Adam.adam(List.of(early, late), lr, b1, b2, eps, 0);
        // reference for the early parameter: Adam's formulas in plain double, loss sum(early^2), g = 2w
        double[] w = {0.5, -0.3}, m = new double[2], v = new double[2];
        for (int t = 1; t <= 999; t++) {
            adam.zeroGrad();
            early.mul(early).sum().backward(); // late gets no gradient: a frozen layer, an unused branch
            adam.step();
            for (int i = 0; i < 2; i++) {
                double g = 2 * w[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                w[i] -= lr * (m[i] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
            }
        }
        assertArrayEquals(w, early.value().toDoubleVector(), 1e-9, "the early parameter follows Adam");
        assertArrayEquals(new double[] {2.0, 1.0}, late.value().toDoubleVector(), 0.0, "no gradient, no update");
        assertEquals(0, adam.steps(late));

        adam.zeroGrad();
        double[] g = {3.0, -0.02};
        Tensor.of(Nd4j.createFromArray(g)).mul(late).sum().backward(); // step 1000: its first gradient
        adam.step();
        assertEquals(1000, adam.steps());
        assertEquals(1, adam.steps(late));
        double[] expected = {2.0 - lr * g[0] / (Math.abs(g[0]) + eps), 1.0 - lr * g[1] / (Math.abs(g[1]) + eps)};
        assertArrayEquals(expected, late.value().toDoubleVector(), 1e-12,
                "a first update moves by lr (m_hat = g, sqrt(v_hat) = |g|), whatever the optimizer's step count");
    }
}
