package org.bigmodels.exercises.lesson15;

import static org.junit.jupiter.api.Assertions.*;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.bigmodels.quant.IntFormat;
import org.bigmodels.quant.QuantParams;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 15.1. The reference is the closed form written here: dL/dx = dL/dy where
 * S (qmin - Z) <= x <= S (qmax - Z), else 0; the failure messages name the misconception each case catches.
 */
class Lesson15Test {

    // uint4, S = 0.5, Z = 2: representable range [0.5 * (0 - 2), 0.5 * (15 - 2)] = [-1, 6.5]
    static final QuantParams P = QuantParams.perTensor(0.5, 2, IntFormat.unsigned(4));

    @Graded(id = "15.1", points = 2, title = "inside the range the gradient passes straight through")
    void passesInside() {
        double[] x = {-0.9, -0.2, 0.26, 3.1, 6.4};
        double[] g = {1.5, -2, 3, 0.25, -1};
        double[] got = StudentFakeQuantSte.steGradient(x, g, P);
        if (java.util.Arrays.stream(got).allMatch(v -> v == 0)) {
            fail("every gradient is 0: that is the true derivative of the staircase (0 almost everywhere), which never "
                    + "trains anything; the STE treats round() as the identity inside the range");
        }
        if (got[0] == 1 && got[1] == 1) fail("you returned the 0/1 mask; the STE returns dL/dy times the mask");
        assertArrayEquals(g, got, 0, "inside [S(qmin-Z), S(qmax-Z)] dL/dx = dL/dy");
    }

    @Graded(id = "15.1", points = 2, title = "outside the range (clipped values) the gradient is 0")
    void blocksOutside() {
        double[] x = {-3, -1.2, 6.8, 40};
        double[] g = {1, 1, 1, 1};
        double[] got = StudentFakeQuantSte.steGradient(x, g, P);
        if (got[0] != 0 || got[3] != 0) {
            fail("a clipped value got a gradient: you passed the gradient everywhere (the STE without its clipping); "
                    + "a value beyond the range is saturated, so a small change of it changes nothing");
        }
        assertArrayEquals(new double[] {0, 0, 0, 0}, got, 0);
    }

    @Graded(id = "15.1", points = 2, title = "the range is in real units, shifted by the zero point; both ends included")
    void boundaries() {
        double[] x = {-1, 6.5, -1.000001, 6.500001, 0 * 0.5 - 0.1, 7.4};
        double[] g = {1, 1, 1, 1, 1, 1};
        double[] got = StudentFakeQuantSte.steGradient(x, g, P);
        if (got[4] == 0) fail("x = -0.1 is inside [-1, 6.5]: the range is [S (qmin - Z), S (qmax - Z)], not [S qmin, "
                + "S qmax]; you ignored the zero point");
        if (got[5] == 1) fail("x = 7.4 is beyond S (qmax - Z) = 6.5: the range is [S (qmin - Z), S (qmax - Z)], not [S qmin, "
                + "S qmax] or [.., S 2^b]");
        if (got[0] == 0 || got[1] == 0) fail("x exactly at an end of the range (-1 or 6.5) is representable, not clipped: "
                + "the ends are inside (use <= and >=, not < and >)");
        if (got[2] != 0 || got[3] != 0) fail("x just beyond an end of the range is clipped: its gradient must be 0");
    }

    @Graded(id = "15.1", points = 2, title = "in the engine: the gradient reaches x through the op")
    void inTheEngine() {
        Tensor x = Tensor.param(Nd4j.createFromArray(-2.0, -0.4, 1.0, 6.5, 9.0));
        Tensor y = StudentFakeQuantSte.apply(x, P);
        Ops.sum(Ops.mul(y, Tensor.of(Nd4j.createFromArray(2.0, 3.0, 4.0, 5.0, 6.0)))).backward();
        assertArrayEquals(new double[] {0, 3, 4, 5, 0}, x.grad().toDoubleVector(), 0,
                "dL/dx of sum(w * fakeQuant(x)) is w inside the range and 0 outside");
        assertArrayEquals(new double[] {-1, -0.5, 1, 6.5, 6.5}, y.value().toDoubleVector(), 1e-12,
                "the forward is the quantizer's (given)");
    }
}
