package org.bigmodels.capstone;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Random;
import org.bigmodels.nn.MLP;
import org.bigmodels.quant.KMeansCodebook;
import org.bigmodels.quant.QuantizedModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** k-means on the surviving weights: zeros stay exactly zero on code 0, the rest is a Lloyd fixed point. */
class PrunedKMeansTest {
    @TempDir
    Path dir;

    @Test
    void zerosKeepCodeZeroAndTheRestIsALloydFixedPoint() {
        Random rng = new Random(5);
        double[][] w = new double[30][20];
        for (double[] row : w) for (int j = 0; j < row.length; j++) row[j] = rng.nextDouble() < 0.8 ? 0 : rng.nextGaussian();
        INDArray x = Nd4j.create(w).castTo(DataType.FLOAT);
        KMeansCodebook cb = PrunedKMeans.fit(x, 3, 50);
        double[] c = cb.centroids();
        int[] idx = cb.indices();
        assertEquals(8, c.length);
        assertEquals(0.0, c[0], 0.0, "code 0 is the pruned zeros' centroid, exactly 0");
        double[] v = x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] sum = new double[8];
        int[] n = new int[8];
        for (int t = 0; t < v.length; t++) {
            if (v[t] == 0) {
                assertEquals(0, idx[t], "a zero weight must be on code 0");
                continue;
            }
            assertNotEquals(0, idx[t], "a surviving weight must not be sent to the zeros' code");
            for (int i = 1; i < 8; i++) {
                assertTrue(Math.abs(v[t] - c[idx[t]]) <= Math.abs(v[t] - c[i]) + 1e-12,
                        "weight " + v[t] + " is on centroid " + c[idx[t]] + " but " + c[i] + " is nearer");
            }
            sum[idx[t]] += v[t];
            n[idx[t]]++;
        }
        for (int i = 1; i < 8; i++) {
            if (n[i] > 0) assertEquals(sum[i] / n[i], c[i], 1e-9, "after convergence, centroid " + i + " is its cluster's mean");
        }
    }

    @Test
    void wellSeparatedClustersAreRecoveredAndTheZerosCostNoBytes() {
        double[] centres = {-3, -1, 2};              // 2 bits: code 0 for zeros, three codes for these
        float[] v = new float[300];
        Random rng = new Random(2);
        for (int t = 0; t < v.length; t++) v[t] = t % 10 < 9 ? 0f : (float) (centres[t % 3] + 0.01 * rng.nextGaussian());
        INDArray w = Nd4j.createFromArray(v).reshape(30, 10);
        KMeansCodebook cb = PrunedKMeans.fit(w, 2, 30);     // 90 % zeros: sparse is the smaller encoding
        double[] c = cb.centroids().clone();
        java.util.Arrays.sort(c);
        assertArrayEquals(new double[] {-3, -1, 0, 2}, c, 0.01);
        MLP m = MLP.of(30, 10);
        QuantizedModelFile f = QuantizedModelFile.of(m, x -> cb);
        assertTrue(f.sparseEntries().contains("0.weight"), "the zeros are exactly 0: the entry is stored sparse");
        assertEquals(cb.decode(), QuantizedModelFile.load(dirSave(f)).toMLP().linears().get(0).weight().value());
        assertThrows(IllegalArgumentException.class, () -> PrunedKMeans.fit(w, 1, 5), "1 bit leaves no code for non-zeros");
        w.putScalar(3, Float.NaN);
        var e = assertThrows(IllegalArgumentException.class, () -> PrunedKMeans.fit(w, 2, 5));
        assertTrue(e.getMessage().contains("element 3"), e.getMessage());
    }

    private Path dirSave(QuantizedModelFile f) {
        Path p = dir.resolve("k.bmqf");
        f.save(p);
        return p;
    }

    @Test
    void weightsBeyondTheFloatRangeAndNullAreRefused() {
        // 1e300 is a finite double but decodes to a float infinity
        INDArray w = Nd4j.createFromArray(1e300, -1e300, 0.0);
        var e = assertThrows(IllegalArgumentException.class, () -> PrunedKMeans.fit(w, 2, 3));
        assertTrue(e.getMessage().contains("float range") && e.getMessage().contains("element 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrunedKMeans.fit(null, 2, 3));
    }
}
