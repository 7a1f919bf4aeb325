package org.bigmodels.exercises.lesson03;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.bigmodels.optim.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 03.2. References: the library's {@link Adam} run on the same weights and gradients, and the
 * closed form of the first step, computed here element by element.
 */
class AdamStepTest {

    static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    @Graded(id = "03.2", points = 2, title = "first step: m, v by the formula, every weight moves by about lr against g")
    void firstStepClosedForm() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        INDArray w = rand(1, 3, 4), g = rand(2, 3, 4).muli(1e-3); // small gradients: Adam's step does not care
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        AdamStep.Result r = AdamStep.step(w, g, zeros, zeros.dup(), 1, lr, b1, b2, eps);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                double gi = g.getDouble(i, j);
                assertEquals((1 - b1) * gi, r.m().getDouble(i, j), 1e-15, "m");
                assertEquals((1 - b2) * gi * gi, r.v().getDouble(i, j), 1e-15, "v");
                // mHat = g, vHat = g^2: the update is lr * g / (|g| + eps), about lr * sign(g)
                double moved = w.getDouble(i, j) - r.w().getDouble(i, j);
                assertEquals(lr * gi / (Math.abs(gi) + eps), moved, 1e-12, "update of w[" + i + "][" + j + "]");
                assertEquals(lr, Math.abs(moved), lr * 1e-4, "|update| is about lr");
            }
        }
    }

    @Graded(id = "03.2", points = 3, title = "three steps match org.bigmodels.optim.Adam")
    void matchesLibraryAdam() {
        double lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-6;
        INDArray w = rand(3, 5), m = Nd4j.zeros(DataType.DOUBLE, 5), v = Nd4j.zeros(DataType.DOUBLE, 5);
        Tensor p = Tensor.param(w.dup());
        Adam adam = Adam.adam(List.of(p), lr, b1, b2, eps, 0);
        for (int t = 1; t <= 3; t++) {
            INDArray g = rand(10 + t, 5);
            p.zeroGrad();
            Ops.sum(Ops.mul(p, Tensor.of(g))).backward(); // d/dp sum(p * g) = g
            adam.step();
            AdamStep.Result r = AdamStep.step(w, g, m, v, t, lr, b1, b2, eps);
            w = r.w();
            m = r.m();
            v = r.v();
            assertArrayEquals(p.value().toDoubleVector(), w.toDoubleVector(), 1e-12, "weights after step " + t);
        }
    }

    @Graded(id = "03.2", points = 1, title = "step leaves its inputs unchanged")
    void inputsUnchanged() {
        INDArray w = rand(4, 3), g = rand(5, 3), m = rand(6, 3).muli(0.1), v = rand(7, 3).muli(0.1);
        v = v.mul(v);
        INDArray w0 = w.dup(), g0 = g.dup(), m0 = m.dup(), v0 = v.dup();
        AdamStep.step(w, g, m, v, 4, 0.1, 0.9, 0.999, 1e-8);
        assertEquals(w0, w, "w");
        assertEquals(g0, g, "g");
        assertEquals(m0, m, "m");
        assertEquals(v0, v, "v");
    }
}
