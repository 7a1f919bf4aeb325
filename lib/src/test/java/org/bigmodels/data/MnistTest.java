package org.bigmodels.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** MNIST and Fashion-MNIST against the counts and means recorded in datasets/SOURCES.md. */
class MnistTest {

    /**
     * Mean of all values with little rounding: ND4J's own meanNumber() over 47 million floats accumulates in
     * float and is off in the third digit (0.1311 for MNIST train), so sum each row of 784 in float first.
     */
    static double exactMean(INDArray x) {
        return x.sum(1).castTo(DataType.DOUBLE).sumNumber().doubleValue() / x.length();
    }

    @Test
    void trainMatchesSourcesMd() throws IOException {
        Split train = Mnist.train();

        assertEquals(60000, train.size());
        assertArrayEquals(new long[]{60000, 784}, train.features().shape());
        assertEquals(DataType.FLOAT, train.features().dataType());
        assertArrayEquals(SourcesTable.numbersAfter("mnist/train-labels-idx1-ubyte.gz", "hist"), train.labelCounts());
        assertEquals(0.1307, exactMean(train.features()), 5e-5);
        assertEquals(0.0, train.features().minNumber().doubleValue());
        assertEquals(1.0, train.features().maxNumber().doubleValue(), 1e-7);
        assertSame(train, Mnist.train(), "loaded once per process");
    }

    @Test
    void testMatchesSourcesMd() throws IOException {
        Split test = Mnist.load().test();
        assertEquals(10000, test.size());
        assertArrayEquals(SourcesTable.numbersAfter("mnist/t10k-labels-idx1-ubyte.gz", "hist"), test.labelCounts());
        assertEquals(0.1325, exactMean(test.features()), 5e-5);
    }

    @Test
    void firstTrainingImageIsAFive() {
        // The first MNIST training image is the well-known "5"; its pixel at row 14, column 14 is ink.
        Split train = Mnist.train();
        assertEquals(5, train.labels().getInt(0));
        INDArray first = train.features().getRow(0);
        assertEquals(0.0, first.getDouble(0), 0.0);
        // the raw byte 0..255 divided by 255, so every value is a multiple of 1/255
        for (int i = 0; i < 784; i++) {
            double v = first.getDouble(i) * 255;
            assertEquals(Math.round(v), v, 1e-3);
        }
    }

    @Test
    void oneHotAgreesWithLabels() {
        Split test = Mnist.test();
        INDArray hot = test.oneHot();
        assertArrayEquals(new long[]{10000, 10}, hot.shape());
        assertEquals(10000.0, hot.sumNumber().doubleValue());
        assertArrayEquals(test.labelArray(), hot.argMax(1).toIntVector());
    }

    @Test
    void fashionTestHasAThousandPerClass() throws IOException {
        Split fashion = FashionMnist.loadTest();
        assertEquals(10000, fashion.size());
        int[] thousand = new int[10];
        java.util.Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, fashion.labelCounts());
        assertEquals(0.2868, exactMean(fashion.features()), 5e-5);
        assertEquals(10, FashionMnist.CLASS_NAMES.size());
    }
}
