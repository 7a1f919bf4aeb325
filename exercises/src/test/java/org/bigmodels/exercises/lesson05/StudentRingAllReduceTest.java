package org.bigmodels.exercises.lesson05;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigmodels.comm.CommunicationException;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.comm.WorkerThreads;
import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 05.1. References: the element-wise sum over ranks computed with plain double loops from
 * the inputs, and the ring's traffic written out independently: every rank sends 2(N−1) messages, all to its right
 * neighbour, 2(N−1)/N·S bytes when N divides the length, and the ranks together 2(N−1)·S whatever the length.
 */
class StudentRingAllReduceTest {
    static final long TIMEOUT_MILLIS = 10_000;

    /** What every rank ended with, and what it sent to each peer (bytes, messages). */
    record Outcome(double[][] inputs, double[][] results, long[][] bytes, long[][] messages) {
    }

    static double[] input(int rank, int length, long seed) {
        Random rnd = new Random(seed * 1_000 + rank);
        double[] v = new double[length];
        for (int i = 0; i < length; i++) v[i] = rnd.nextInt(2001) / 8.0 - 125; // exact in float and double
        return v;
    }

    static Outcome run(int n, int length, DataType type, long seed) {
        double[][] inputs = new double[n][];
        for (int r = 0; r < n; r++) inputs[r] = input(r, length, seed);
        List<Communicator> group = ThreadCommunicator.group(n, TIMEOUT_MILLIS);
        List<Object[]> out;
        try {
            out = WorkerThreads.run(group, TIMEOUT_MILLIS, c -> {
                INDArray x = Nd4j.createFromArray(inputs[c.rank()]).castTo(type);
                new StudentRingAllReduce().allReduce(c, x);
                long[] b = new long[n];
                long[] m = new long[n];
                for (int p = 0; p < n; p++) {
                    if (p != c.rank()) {
                        b[p] = c.bytesSent(p);
                        m[p] = c.messagesSent(p);
                    }
                }
                return new Object[] {x.castTo(DataType.DOUBLE).toDoubleVector(), b, m};
            });
        } catch (CommunicationException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            if (root instanceof UnsupportedOperationException) {
                fail(root.getMessage());
            }
            fail("N = " + n + ", length " + length + ": the all-reduce failed: " + e.getMessage() + " (cause: " + root
                    + "). A time-out usually means a deadlock (every rank receiving before it sends) or ranks taking "
                    + "different numbers of steps (e.g. skipping empty chunks when the length is below N)", e);
            return null;
        } finally {
            group.forEach(Communicator::close);
        }
        double[][] results = new double[n][];
        long[][] bytes = new long[n][];
        long[][] msgs = new long[n][];
        for (int r = 0; r < n; r++) {
            results[r] = (double[]) out.get(r)[0];
            bytes[r] = (long[]) out.get(r)[1];
            msgs[r] = (long[]) out.get(r)[2];
        }
        return new Outcome(inputs, results, bytes, msgs);
    }

    /** Checks every rank's result against the plain sum and names the misconception when it is wrong. */
    static void checkSum(Outcome o, String where) {
        int n = o.inputs().length;
        int length = o.inputs()[0].length;
        double[] sum = new double[length];
        for (double[] in : o.inputs()) for (int i = 0; i < length; i++) sum[i] += in[i];
        for (int r = 0; r < n; r++) {
            double[] got = o.results()[r];
            if (got.length != length) {
                fail(where + ": rank " + r + "'s array has " + got.length + " elements after the all-reduce, expected "
                        + length + " (work in place on the caller's array)");
            }
            int wrong = 0;
            int first = -1;
            boolean allNTimes = true;
            boolean anyOwn = true;
            for (int i = 0; i < length; i++) {
                if (got[i] != sum[i]) {
                    wrong++;
                    if (first < 0) first = i;
                }
                allNTimes &= got[i] == n * sum[i];
                anyOwn &= got[i] == o.inputs()[r][i];
            }
            if (wrong == 0) continue;
            String why;
            if (anyOwn) {
                why = "it still holds its own input: nothing was summed into the caller's array (write into views "
                        + "of it, e.g. Chunks.chunk, not into copies)";
            } else if (allNTimes && n > 1) {
                why = "every element is N times the sum: the all-gather must overwrite the received chunks, not add "
                        + "them again";
            } else if (wrong < length && correctOnlyOwnChunk(got, sum, r, n)) {
                why = "only this rank's own chunk is right: the reduce-scatter worked but the all-gather is missing "
                        + "or passes the wrong chunks";
            } else {
                why = "check the chunk indices of each step (modulo N, with Math.floorMod) so that the chunk a rank "
                        + "receives last in the reduce-scatter is its own";
            }
            fail(where + ": rank " + r + " is wrong at " + wrong + " of " + length + " elements (first at index "
                    + first + ": expected the sum " + sum[first] + ", got " + got[first] + "); " + why);
        }
    }

    static boolean correctOnlyOwnChunk(double[] got, double[] sum, int r, int n) {
        int length = sum.length;
        long lo = (long) r * (length / n) + Math.min(r, length % n);
        long hi = lo + length / n + (r < length % n ? 1 : 0);
        for (long i = lo; i < hi; i++) if (got[(int) i] != sum[(int) i]) return false;
        return true;
    }

    @Graded(id = "05.1", points = 4, title = "ring all-reduce == the plain sum, N = 1..6 workers (DOUBLE, length 60)")
    void sumsForOneToSixWorkers() {
        for (int n = 1; n <= 6; n++) {
            checkSum(run(n, 60, DataType.DOUBLE, n), "N = " + n + ", length 60");
        }
    }

    @Graded(id = "05.1", points = 3, title = "odd lengths and lengths below N (empty chunks), FLOAT and DOUBLE")
    void oddAndShortLengths() {
        int[] lengths = {1, 2, 3, 5, 7, 11, 13};
        for (int n = 2; n <= 6; n++) {
            for (int length : lengths) {
                DataType type = (n + length) % 2 == 0 ? DataType.FLOAT : DataType.DOUBLE;
                checkSum(run(n, length, type, 100L * n + length), "N = " + n + ", length " + length + " (" + type
                        + (length < n ? ", some chunks empty" : "") + ")");
            }
        }
    }

    @Graded(id = "05.1", points = 3, title = "traffic of a ring: 2(N-1) messages per rank, all to the right "
            + "neighbour, 2(N-1)/N·S bytes")
    void ringByteCount() {
        List<String> problems = new ArrayList<>();      // bytes: listed first
        List<String> pattern = new ArrayList<>();       // who sends to whom
        for (int n = 2; n <= 6; n++) {
            for (int length : new int[] {60, 7, 1}) {
                Outcome o = run(n, length, DataType.FLOAT, 7L * n + length);
                checkSum(o, "N = " + n + ", length " + length);
                long s = 4L * length;                  // bytes of one rank's array
                long total = 0;
                for (int r = 0; r < n; r++) {
                    int right = (r + 1) % n;
                    long mine = 0;
                    for (int p = 0; p < n; p++) {
                        mine += o.bytes()[r][p];
                        if (p != right && o.messages()[r][p] > 0) {
                            pattern.add("N = " + n + ": rank " + r + " sent " + o.messages()[r][p] + " messages to "
                                    + "rank " + p + "; in a ring a rank sends only to its right neighbour " + right);
                        }
                    }
                    total += mine;
                    if (o.messages()[r][right] != 2L * (n - 1)) {
                        pattern.add("N = " + n + ", length " + length + ": rank " + r + " sent "
                                + o.messages()[r][right] + " messages to its right neighbour, a ring sends 2(N-1) = "
                                + 2 * (n - 1) + " (N-1 per phase, empty chunks included)");
                    }
                    if (length % n == 0 && mine != 2L * (n - 1) * s / n) {
                        problems.add("N = " + n + ", length " + length + ": rank " + r + " sent " + mine + " bytes; a "
                                + "ring sends 2(N-1)/N·S = " + 2L * (n - 1) * s / n + " bytes for S = " + s
                                + (mine >= s * (n - 1) && n > 2 ? " -- that is (N-1)·S or more: sending whole arrays to "
                                + "one rank (reduce then broadcast) is the naive all-reduce, not a ring; send one chunk "
                                + "of about S/N bytes per step" : mine >= s ? " -- whole arrays were sent: a ring sends "
                                + "one chunk of about S/N bytes per step" : ""));
                    }
                }
                if (total != 2L * (n - 1) * s) {
                    problems.add("N = " + n + ", length " + length + ": the ranks sent " + total + " bytes together; a "
                            + "ring sends 2(N-1)·S = " + 2L * (n - 1) * s + " bytes in all (each element's partial sum "
                            + "travels N-1 hops, its total N-1 more)");
                }
            }
        }
        problems.addAll(pattern);
        if (!problems.isEmpty()) {
            fail("the sums are right but this is not a ring's traffic (" + problems.size() + " problems):\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(8, problems.size()))));
        }
    }
}
