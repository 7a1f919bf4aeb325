package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaxNormTest {
    @Test
    void columnsAboveCAreScaledToCOthersAndBiasesUntouched() {
        double c = 2.0;
        // W [in=3, out=4]: column norms 1, 3, 2, 5 
        double[][] w = {{1, 3, 0, 3}, {0, 0, 2, 4}, {0, 0, 0, 0}};
        Tensor weight = Tensor.param(Nd4j.createFromArray(w).castTo(DataType.DOUBLE));
        Tensor bias = Tensor.param(Nd4j.createFromArray(new double[] {10, -10, 10, 10}));
        MaxNorm opt = new MaxNorm(new SGD(List.of(weight, bias), 0.1), c);
        opt.step(); // no gradients: the inner step changes nothing, the constraint alone acts
        INDArray got = weight.value();
        for (int j = 0; j < 4; j++) {
            double norm = 0;
            for (double[] row : w) norm += row[j] * row[j];
            norm = Math.sqrt(norm);
            double scale = Math.min(1, c / norm);
            for (int i = 0; i < 3; i++) {
                assertEquals(w[i][j] * scale, got.getDouble(i, j), 1e-12,
                        "column " + j + " (norm " + norm + "): a unit's INCOMING weights (a column of W [in, out]) are "
                                + "scaled to norm c only when their norm exceeds c");
            }
        }
        assertEquals(10, bias.value().getDouble(0), 0, "biases are not constrained");
        assertEquals(-10, bias.value().getDouble(1), 0, "biases are not constrained");
    }

    @Test
    void badCIsRefused() {
        Tensor p = Tensor.param(Nd4j.ones(DataType.DOUBLE, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new MaxNorm(new SGD(List.of(p), 0.1), 0));
        assertThrows(IllegalArgumentException.class, () -> new MaxNorm(new SGD(List.of(p), 0.1), Double.NaN));
    }

    @Test
    void missingInnerOptimizerIsRefusedAtConstruction() {
        // without the check, the null would only surface as a NullPointerException at the first step()
        assertThrows(IllegalArgumentException.class, () -> new MaxNorm(null, 3.5));
    }
}
