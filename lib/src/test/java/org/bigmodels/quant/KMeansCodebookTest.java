package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** k-means weight sharing: centroids are the means of their clusters (plain loop), gradients summed per cluster. */
class KMeansCodebookTest {
    @Test
    void centroidsAreClusterMeansAndGradientsSumPerCluster() {
        INDArray w = QuantCoreTest.randn(5, 30, 20);
        KMeansCodebook cb = KMeansCodebook.fit(w, 3, 20);
        double[] v = w.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int[] idx = cb.indices();
        double[] c = cb.centroids();
        assertEquals(8, c.length);
        double[] sum = new double[8];
        int[] n = new int[8];
        for (int t = 0; t < v.length; t++) {
            sum[idx[t]] += v[t];
            n[idx[t]]++;
        }
        for (int k = 0; k < 8; k++) {
            assertTrue(n[k] > 0, "cluster " + k + " empty");
            assertEquals(sum[k] / n[k], c[k], 1e-12, "centroid " + k + " must be the mean of its cluster");
        }
        INDArray d = cb.decode();
        for (int t = 0; t < v.length; t++) assertEquals(c[idx[t]], d.getDouble(t / 20, t % 20), 1e-6);
        INDArray g = QuantCoreTest.randn(6, 30, 20);
        double[] gv = g.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] acc = new double[8];
        for (int t = 0; t < gv.length; t++) acc[idx[t]] += gv[t];
        assertArrayEquals(acc, cb.clusterGradients(g), 1e-9);
        cb.fineTune(g, 0.1);
        for (int k = 0; k < 8; k++) assertEquals(c[k] - 0.1 * acc[k], cb.centroids()[k], 1e-12);
        assertEquals((600 * 3 + 7) / 8 + 32, cb.storageBytes());
        double mse = w.sub(d).norm2Number().doubleValue();
        double mseUniform = w.sub(Quantizer.affine(3).fakeQuantize(w)).norm2Number().doubleValue();
        assertTrue(mse < mseUniform, "k-means codebooks fit Gaussian weights better than a uniform 3-bit grid");
    }
}
