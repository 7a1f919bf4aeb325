package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Broadcast, reduce, reduce-scatter, all-gather and barrier on the thread backend against plain loops, for N = 1..6,
 * every root, and lengths shorter than N and not divisible by it; plus Chunks.bounds against its definition.
 */
@Timeout(60)
class CollectivesTest {
    static final int[] LENGTHS = {0, 1, 5, 11};

    @Test
    void chunksAreBalancedContiguousAndCoverTheArray() {
        for (int n = 1; n <= 9; n++) {
            for (long length = 0; length <= 30; length++) {
                long[] b = Chunks.bounds(length, n);
                assertEquals(0, b[0]);
                assertEquals(length, b[n]);
                for (int r = 0; r < n; r++) {
                    long size = b[r + 1] - b[r];
                    long expected = length / n + (r < length % n ? 1 : 0);
                    assertEquals(expected, size, "chunk " + r + " of " + length + " over " + n);
                }
            }
        }
    }

    @Test
    void broadcastAndReduceEqualPlainLoopsForEveryRoot() {
        for (int n = 1; n <= 6; n++) {
            for (int length : LENGTHS) {
                double[][] x = AllReduceTest.inputs(n, length, 7L * n + length);
                double[] sum = AllReduceTest.plainSum(x);
                for (int root = 0; root < n; root++) {
                    int rt = root;
                    List<double[]> b = ThreadCommunicator.run(n, 20_000, c -> {
                        INDArray a = AllReduceTest.array(x[c.rank()], DataType.DOUBLE);
                        c.broadcast(a, rt);
                        return a.toDoubleVector();
                    });
                    List<double[]> red = ThreadCommunicator.run(n, 20_000, c -> {
                        INDArray a = AllReduceTest.array(x[c.rank()], DataType.DOUBLE);
                        c.reduce(a, rt);
                        return a.toDoubleVector();
                    });
                    for (int r = 0; r < n; r++) {
                        String what = "N=" + n + " length " + length + " root " + root + " rank " + r;
                        assertArrayEquals(x[root], b.get(r), 0.0, "broadcast " + what);
                        assertArrayEquals(r == root ? sum : x[r], red.get(r), 1e-12, "reduce " + what);
                    }
                }
            }
        }
    }

    @Test
    void reduceScatterLeavesChunkROfTheSumOnRankRAndAllGatherGathersTheChunks() {
        for (int n = 1; n <= 6; n++) {
            for (int length : LENGTHS) {
                double[][] x = AllReduceTest.inputs(n, length, 11L * n + length);
                double[] sum = AllReduceTest.plainSum(x);
                long[] b = Chunks.bounds(length, n);
                List<double[]> rs = ThreadCommunicator.run(n, 20_000, c -> {
                    INDArray a = AllReduceTest.array(x[c.rank()], DataType.DOUBLE);
                    c.reduceScatter(a);
                    return a.toDoubleVector();
                });
                // all-gather input: rank r holds its own values only in chunk r, garbage elsewhere
                List<double[]> ag = ThreadCommunicator.run(n, 20_000, c -> {
                    double[] v = new double[length];
                    java.util.Arrays.fill(v, -999);
                    for (long i = b[c.rank()]; i < b[c.rank() + 1]; i++) {
                        v[(int) i] = x[c.rank()][(int) i];
                    }
                    INDArray a = AllReduceTest.array(v, DataType.DOUBLE);
                    c.allGather(a);
                    return a.toDoubleVector();
                });
                double[] gathered = new double[length];
                for (int r = 0; r < n; r++) {
                    for (long i = b[r]; i < b[r + 1]; i++) {
                        gathered[(int) i] = x[r][(int) i];
                    }
                }
                for (int r = 0; r < n; r++) {
                    for (long i = b[r]; i < b[r + 1]; i++) {
                        assertEquals(sum[(int) i], rs.get(r)[(int) i], 1e-12,
                                "reduce-scatter N=" + n + " length " + length + " rank " + r + " element " + i);
                    }
                    assertArrayEquals(gathered, ag.get(r), 0.0, "all-gather N=" + n + " length " + length + " rank " + r);
                }
            }
        }
    }

    @Test
    void collectivesWorkInPlaceOnMatrices() {
        List<double[]> got = ThreadCommunicator.run(3, 20_000, c -> {
            INDArray m = org.nd4j.linalg.factory.Nd4j.ones(DataType.FLOAT, 4, 5).muli(c.rank() + 1);
            c.allReduce(m);
            return m.castTo(DataType.DOUBLE).reshape(20).toDoubleVector();
        });
        double[] six = new double[20];
        java.util.Arrays.fill(six, 6.0);
        got.forEach(v -> assertArrayEquals(six, v, 0.0, "all-reduce of a [4,5] matrix must sum in place"));
    }

    @Test
    void barrierReleasesNoRankBeforeAllArrived() {
        int n = 4;
        java.util.concurrent.atomic.AtomicInteger arrived = new java.util.concurrent.atomic.AtomicInteger();
        List<Integer> seen = ThreadCommunicator.run(n, 20_000, c -> {
            Thread.sleep(20L * c.rank());
            arrived.incrementAndGet();
            c.barrier();
            return arrived.get();
        });
        seen.forEach(s -> assertEquals(n, s, "a rank left the barrier before every rank arrived"));
    }
}
