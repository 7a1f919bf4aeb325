package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every all-reduce algorithm on the thread backend against the plain double loop sum, for N = 1..8 and lengths that
 * are odd, not divisible by N, and shorter than N (empty chunks); and the bytes each rank sends against the formula.
 */
@Timeout(60)
class AllReduceTest {
    static final List<AllReduce> ALGORITHMS = List.of(new NaiveAllReduce(), new TreeAllReduce(), new RingAllReduce());
    static final int[] LENGTHS = {0, 1, 3, 7, 13, 64, 101};

    /** data[r][i]: rank r's input, deterministic; small integers-plus-fractions so float sums are exact enough. */
    static double[][] inputs(int n, int length, long seed) {
        Random rnd = new Random(seed);
        double[][] x = new double[n][length];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < length; i++) {
                x[r][i] = rnd.nextGaussian();
            }
        }
        return x;
    }

    /** The reference: the plain double loop. */
    static double[] plainSum(double[][] x) {
        double[] s = new double[x[0].length];
        for (double[] row : x) {
            for (int i = 0; i < s.length; i++) {
                s[i] += row[i];
            }
        }
        return s;
    }

    static INDArray array(double[] v, DataType type) {
        return Nd4j.createFromArray(v).castTo(type).reshape(v.length);
    }

    @Test
    void everyAlgorithmEqualsThePlainSumForOneToEightWorkers() {
        for (AllReduce algo : ALGORITHMS) {
            for (int n = 1; n <= 8; n++) {
                for (int length : LENGTHS) {
                    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                        double[][] x = inputs(n, length, 31L * n + length);
                        double[] expected = plainSum(x);
                        int nn = n;
                        List<double[]> got = ThreadCommunicator.run(n, 20_000, comm -> {
                            INDArray a = array(x[comm.rank()], type);
                            algo.allReduce(comm, a);
                            return a.castTo(DataType.DOUBLE).toDoubleVector();
                        });
                        double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
                        for (int r = 0; r < n; r++) {
                            String what = algo.name() + " N=" + nn + " length=" + length + " " + type + " rank " + r;
                            assertEquals(length, got.get(r).length, what);
                            assertArrayEquals(expected, got.get(r), tol, what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bytesPerRankMatchTheFormulas() {
        for (AllReduce algo : ALGORITHMS) {
            for (int n = 1; n <= 8; n++) {
                for (int length : new int[] {0, 3, 7, 24, 101}) {
                    int nn = n;
                    List<long[]> counted = ThreadCommunicator.run(n, 20_000, comm -> {
                        INDArray a = Nd4j.ones(DataType.FLOAT, length);
                        comm.resetStats();
                        algo.allReduce(comm, a);
                        return new long[] {comm.totalBytesSent()};
                    });
                    for (int r = 0; r < n; r++) {
                        long expected = switch (algo.name()) {
                            case "naive" -> n == 1 ? 0 : NaiveAllReduce.bytesSent(r, nn, length, 4);
                            case "tree" -> TreeAllReduce.bytesSent(r, nn, length, 4);
                            default -> RingAllReduce.bytesSent(r, nn, length, 4);
                        };
                        assertEquals(expected, counted.get(r)[0],
                                algo.name() + " N=" + n + " length=" + length + " rank " + r + ": bytes sent");
                    }
                }
            }
        }
    }
}
