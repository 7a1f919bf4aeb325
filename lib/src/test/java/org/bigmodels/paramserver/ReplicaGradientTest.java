package org.bigmodels.paramserver;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bigmodels.engine.Ops;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ReplicaGradient against plain-loop references: softmax regression's gradient X^T(softmax - onehot)/N in double,
 * the shard batches against the shard (each index once per pass), and two worker threads against sequential calls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaGradientTest {
    static final int N = 24, D = 5, C = 3;
    static final float[][] XS = new float[N][D];
    static final int[] YS = new int[N];

    static {
        Random r = new Random(7);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) XS[i][j] = (float) r.nextGaussian();
            YS[i] = r.nextInt(C);
        }
    }

    static INDArray x() {
        return Nd4j.createFromArray(XS);
    }

    static INDArray y() {
        return Nd4j.createFromArray(YS);
    }

    static MLP softmaxRegression(int seed) {
        return new MLP(new long[] {D, C}, Activation.RELU, DataType.FLOAT, seed);
    }

    static ReplicaGradient<MLP> replicas(int workers, ReplicaGradient.BatchSource source) {
        return new ReplicaGradient<>(workers, ReplicaGradientTest::softmaxRegression,
                (m, b) -> Ops.crossEntropy(m.forward(b.x()), b.y()), source);
    }

    /** dW = X^T (softmax(XW + b) - onehot) / n, db = column sums / n, in double. */
    static double[][] reference(float[] w, float[] b, int[] rows) {
        double[] dw = new double[D * C];
        double[] db = new double[C];
        for (int r : rows) {
            double[] z = new double[C];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) {
                z[c] = b[c];
                for (int j = 0; j < D; j++) z[c] += XS[r][j] * w[j * C + c];
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < C; c++) sum += z[c] = Math.exp(z[c] - max);
            for (int c = 0; c < C; c++) {
                double delta = (z[c] / sum - (c == YS[r] ? 1 : 0)) / rows.length;
                db[c] += delta;
                for (int j = 0; j < D; j++) dw[j * C + c] += XS[r][j] * delta;
            }
        }
        return new double[][] {dw, db};
    }

    @Test
    void gradientAtThePulledParametersMatchesThePlainLoopSoftmaxRegression() {
        int[] rows = {3, 5, 8, 13, 21};
        ReplicaGradient<MLP> g = replicas(2, (w, t) -> new Batch(x().getRows(rows), y().get(
                org.nd4j.linalg.indexing.NDArrayIndex.indices(Arrays.stream(rows).asLongStream().toArray())).dup()));
        float[][] pulled = ReplicaGradient.parametersOf(softmaxRegression(99)); // not the replica's own seed
        pulled[1] = new float[] {0.5f, -0.25f, 0.1f};
        float[][] got = g.gradient(1, 0, pulled);
        double[][] want = reference(pulled[0], pulled[1], rows);
        assertEquals(2, got.length);
        for (int p = 0; p < 2; p++) {
            assertEquals(want[p].length, got[p].length);
            for (int i = 0; i < got[p].length; i++) {
                assertEquals(want[p][i], got[p][i], 1e-5, "parameter " + p + " element " + i);
            }
        }
        // a second call at other parameters must not accumulate the first call's gradient
        float[][] again = g.gradient(1, 1, pulled);
        for (int p = 0; p < 2; p++) assertArrayEquals(got[p], again[p], 1e-7f, "gradients accumulated across calls");
    }

    @Test
    void parametersOfAndLoadRoundTripKeepingShapes() {
        MLP a = MLP.of(4, 6, 3);
        MLP b = new MLP(new long[] {4, 6, 3}, Activation.RELU, DataType.FLOAT, 5);
        ReplicaGradient.load(b, ReplicaGradient.parametersOf(a));
        for (int p = 0; p < a.parameters().size(); p++) {
            assertEquals(a.parameters().get(p).value(), b.parameters().get(p).value(), "parameter " + p);
        }
        float[][] bad = ReplicaGradient.parametersOf(a);
        bad[2] = new float[5];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicaGradient.load(b, bad));
        assertTrue(e.getMessage().contains("parameter 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReplicaGradient.load(b, new float[1][]));
    }

    @Test
    void shardBatchesVisitEachShardIndexOncePerPassAndRepeat() {
        int[][] shards = {{0, 2, 4, 6, 8, 10}, {1, 3, 5, 7, 9, 11, 13, 15, 17}};
        ReplicaGradient.BatchSource src = ReplicaGradient.shardBatches(x(), y(), shards, 3, 11);
        for (int w = 0; w < 2; w++) {
            int perPass = shards[w].length / 3;
            Set<Integer> seen = new HashSet<>();
            for (int t = 0; t < perPass; t++) {
                Batch b = src.batch(w, t);
                assertEquals(3, b.size());
                for (int i = 0; i < 3; i++) seen.add(rowOf(b.x().getRow(i)));
                assertEquals(b.y().getInt(0), YS[rowOf(b.x().getRow(0))], "label must travel with its row");
            }
            Set<Integer> want = new HashSet<>();
            for (int i : shards[w]) want.add(i);
            assertEquals(want, seen, "worker " + w + ": one pass must cover its shard exactly once");
            assertEquals(src.batch(w, 1).x(), ReplicaGradient.shardBatches(x(), y(), shards, 3, 11).batch(w, 1).x(),
                    "same seed, same batch");
        }
        assertThrows(IllegalArgumentException.class,
                () -> ReplicaGradient.shardBatches(x(), y(), new int[][] {{}}, 3, 1));
        assertThrows(IllegalArgumentException.class,
                () -> ReplicaGradient.shardBatches(x(), y(), new int[][] {{N}}, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> ReplicaGradient.shardBatches(x(), y(), shards, 0, 1));
    }

    static int rowOf(INDArray row) {
        float[] v = row.toFloatVector();
        for (int i = 0; i < N; i++) if (Arrays.equals(v, XS[i])) return i;
        throw new AssertionError("row not in the data");
    }

    @Test
    void twoWorkerThreadsGiveTheSequentialGradients() throws Exception {
        int[][] shards = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}};
        float[][] pulled = ReplicaGradient.parametersOf(softmaxRegression(3));
        ReplicaGradient<MLP> seq = replicas(2, ReplicaGradient.shardBatches(x(), y(), shards, 4, 1));
        float[][][][] want = new float[2][20][][];
        for (int w = 0; w < 2; w++) for (int t = 0; t < 20; t++) want[w][t] = seq.gradient(w, t, pulled);
        ReplicaGradient<MLP> par = replicas(2, ReplicaGradient.shardBatches(x(), y(), shards, 4, 1));
        float[][][][] got = new float[2][20][][];
        Thread[] threads = new Thread[2];
        for (int w = 0; w < 2; w++) {
            int worker = w;
            threads[w] = new Thread(() -> {
                for (int t = 0; t < 20; t++) got[worker][t] = par.gradient(worker, t, pulled);
            });
            threads[w].start();
        }
        for (Thread t : threads) t.join(30_000);
        for (int w = 0; w < 2; w++) {
            for (int t = 0; t < 20; t++) {
                for (int p = 0; p < 2; p++) assertArrayEquals(want[w][t][p], got[w][t][p], "worker " + w + " step " + t);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> par.gradient(2, 0, pulled));
    }
}
