package org.bigmodels.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OneHotTest {

    @Test
    void aSingleOneAtEachLabel() {
        int[] y = {2, 0, 3, 3, 1};
        INDArray hot = OneHot.encode(Nd4j.createFromArray(y), 4);
        assertArrayEquals(new long[] {5, 4}, hot.shape());
        assertEquals(DataType.FLOAT, hot.dataType());
        for (int i = 0; i < y.length; i++) {
            for (int c = 0; c < 4; c++) {
                assertEquals(c == y[i] ? 1.0 : 0.0, hot.getDouble(i, c), "row " + i + ", column " + c);
            }
        }
        assertArrayEquals(y, OneHot.decode(hot));
        INDArray asDouble = OneHot.encode(y, 4, DataType.DOUBLE);
        assertEquals(DataType.DOUBLE, asDouble.dataType());
        assertEquals(hot.castTo(DataType.DOUBLE), asDouble);
    }

    @Test
    void wholeFloatLabelsAreClassesButFractionsAreNot() {
        INDArray ok = OneHot.encode(Nd4j.createFromArray(new float[] {1f, 0f}), 2);
        assertEquals(1.0, ok.getDouble(0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OneHot.encode(Nd4j.createFromArray(new float[] {2.7f}), 4));
        assertTrue(e.getMessage().contains("2.7"), e.getMessage());
    }

    @Test
    void labelsOutsideTheClassesOrOfTheWrongShapeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OneHot.encode(new int[] {0, 4}, 4, DataType.FLOAT));
        assertThrows(IllegalArgumentException.class, () -> OneHot.encode(new int[] {-1}, 4, DataType.FLOAT));
        assertThrows(IllegalArgumentException.class, () -> OneHot.encode(Nd4j.zeros(DataType.INT, 2, 2), 4));
        assertThrows(IllegalArgumentException.class, () -> OneHot.encode(new int[] {0}, 0, DataType.FLOAT));
    }

    @Test
    void splitOneHotIsTheSame() {
        Split s = new Split("t", Nd4j.zeros(DataType.FLOAT, 3, 2), Nd4j.createFromArray(new int[] {1, 0, 2}), 3);
        assertEquals(OneHot.encode(s.labels(), 3), s.oneHot());
    }
}
