package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 8 of issue 6: class labels (cross-entropy targets, embedding indices) that are not whole numbers in
 * [0, C) are refused with the position, the expected range and the value; whole numbers stored as floats are accepted
 * and give the closed-form loss.
 */
class ClassIndexLabelsTest {
    static final double[][] LOGITS = {{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}};

    static Tensor logits() {
        return Tensor.param(Nd4j.createFromArray(LOGITS));
    }

    static IllegalArgumentException refused(INDArray labels) {
        return assertThrows(IllegalArgumentException.class, () -> Ops.crossEntropy(logits(), labels));
    }

    @Test
    void aNonIntegralFloatLabelIsRefusedNamingRowExpectationAndValue() {
        String m = refused(Nd4j.createFromArray(0f, 2.7f)).getMessage();
        assertTrue(m.contains("position 1") && m.contains("integer class index in [0, 3)") && m.contains("2.7"), m);
        String d = refused(Nd4j.createFromArray(0.5, 1.0)).getMessage();
        assertTrue(d.contains("position 0") && d.contains("0.5"), d);
    }

    @Test
    void outOfRangeAndNaNLabelsAreRefused() {
        String high = refused(Nd4j.createFromArray(0, 3)).getMessage();
        assertTrue(high.contains("got 3 at position 1") && high.contains("[0, 3)"), high);
        String neg = refused(Nd4j.createFromArray(-1L, 0L)).getMessage();
        assertTrue(neg.contains("got -1 at position 0"), neg);
        String nan = refused(Nd4j.createFromArray(1.0, Double.NaN)).getMessage();
        assertTrue(nan.contains("NaN") && nan.contains("position 1"), nan);
        String inf = refused(Nd4j.createFromArray(Float.POSITIVE_INFINITY, 1f)).getMessage();
        assertTrue(inf.contains("Infinity") && inf.contains("position 0"), inf);
    }

    @Test
    void wholeNumbersInAnyTypeGiveTheClosedFormLoss() {
        int[] t = {2, 2};
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double z = 0;
            for (double v : LOGITS[i]) z += Math.exp(v);
            expected -= LOGITS[i][t[i]] - Math.log(z);
        }
        expected /= 2;
        for (INDArray labels : new INDArray[] {Nd4j.createFromArray(2, 2), Nd4j.createFromArray(2L, 2L),
                Nd4j.createFromArray(2f, 2f), Nd4j.createFromArray(2.0, 2.0)}) {
            assertEquals(expected, Ops.crossEntropy(logits(), labels).item(), 1e-12, labels.dataType().toString());
        }
    }

    @Test
    void embeddingIndicesFollowTheSameRule() {
        Tensor table = Tensor.param(Nd4j.rand(DataType.DOUBLE, 4, 2));
        String m = assertThrows(IllegalArgumentException.class,
                () -> Ops.embedding(table, Nd4j.createFromArray(new float[][] {{1f, 1.5f}}))).getMessage();
        assertTrue(m.contains("1.5") && m.contains("position 1") && m.contains("[0, 4)"), m);
        assertEquals(table.value().getDouble(3, 1),
                Ops.embedding(table, Nd4j.createFromArray(3.0)).value().getDouble(0, 1), 0.0);
    }
}
