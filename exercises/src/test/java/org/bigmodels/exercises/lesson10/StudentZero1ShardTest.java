package org.bigmodels.exercises.lesson10;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigmodels.comm.CommunicationException;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.ParamGroup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 10.1. References: the balanced partition written out with plain loops (sizes L/W, the
 * first L % W one longer), and unpartitioned AdamW (the library's {@code Adam.adamW}, one copy of the state for the
 * whole vector) stepped with the mean of the ranks' gradients: ZeRO-1 must give every rank exactly that vector.
 */
class StudentZero1ShardTest {
    static final long TIMEOUT_MILLIS = 20_000;
    static final double LR = 0.05, B1 = 0.9, B2 = 0.99, EPS = 1e-8, WD = 0.1;
    static final int STEPS = 3;

    static long[] reference(long length, int w) {
        long[] b = new long[w + 1];
        for (int r = 0; r < w; r++) b[r + 1] = b[r] + length / w + (r < length % w ? 1 : 0);
        return b;
    }

    static double[] initial(int length) {
        Random rnd = new Random(42 + length);
        double[] v = new double[length];
        for (int i = 0; i < length; i++) v[i] = rnd.nextGaussian();
        return v;
    }

    /** Rank r's gradient at step s: different directions on every rank, so the mean is not any rank's own. */
    static double[] grad(int rank, int step, int length) {
        Random rnd = new Random(1000L * step + 17L * rank + length);
        double[] g = new double[length];
        for (int i = 0; i < length; i++) g[i] = rnd.nextGaussian() * (1 + rank);
        return g;
    }

    /** Unpartitioned AdamW with the mean gradient: the parameters after each step, [step][i]. */
    static double[][] plainAdamW(int w, int length) {
        Tensor p = Tensor.param(Nd4j.createFromArray(initial(length)).castTo(DataType.FLOAT));
        Adam adam = Adam.adamW(List.of(new ParamGroup(List.of(p), WD)), LR, B1, B2, EPS);
        double[][] out = new double[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            double[] mean = new double[length];
            for (int r = 0; r < w; r++) {
                double[] g = grad(r, s, length);
                for (int i = 0; i < length; i++) mean[i] += g[i] / w;
            }
            p.zeroGrad();
            p.accumulateGrad(Nd4j.createFromArray(mean).castTo(DataType.FLOAT));
            adam.step();
            out[s] = p.value().castTo(DataType.DOUBLE).toDoubleVector();
        }
        return out;
    }

    /** What each rank's shard did: params after each step [step][i], state bytes before and after. */
    record RankRun(double[][] params, long stateBefore, long stateAfter) {
    }

    static List<RankRun> runShards(int w, int length, boolean state) {
        try {
            return ThreadCommunicator.run(w, TIMEOUT_MILLIS, c -> {
                var shard = new StudentZero1Shard(LR, B1, B2, EPS, WD);
                var params = Nd4j.createFromArray(initial(length)).castTo(DataType.FLOAT);
                long before = state ? shard.stateBytes() : 0;
                double[][] out = new double[STEPS][];
                for (int s = 0; s < STEPS; s++) {
                    var g = Nd4j.createFromArray(grad(c.rank(), s, length)).castTo(DataType.FLOAT);
                    shard.step(c, params, g);
                    out[s] = params.castTo(DataType.DOUBLE).toDoubleVector();
                }
                return new RankRun(out, before, state ? shard.stateBytes() : 0);
            });
        } catch (CommunicationException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            if (root instanceof UnsupportedOperationException) fail(root.getMessage());
            fail("W = " + w + ", length " + length + ": the ZeRO-1 step failed: " + e.getMessage() + " (cause: " + root
                    + "). A time-out usually means some rank skipped a collective (every rank must call reduceScatter "
                    + "and allGather, even one whose slice is empty)", e);
            return null;
        }
    }

    static boolean close(double[] a, double[] b, long lo, long hi) {
        for (long i = lo; i < hi; i++) if (Math.abs(a[(int) i] - b[(int) i]) > 2e-5) return false;
        return true;
    }

    @Graded(id = "10.1", points = 3, title = "shard bounds: balanced, contiguous, no overlap, the communicator's "
            + "(W = 1..6, lengths 0..61)")
    void shardBounds() {
        var shard = new StudentZero1Shard(LR, B1, B2, EPS, WD);
        for (int w = 1; w <= 6; w++) {
            for (long length : new long[] {0, 1, 2, 3, 5, 7, 12, 13, 60, 61}) {
                long[] b = shard.shardBounds(length, w);
                long[] ref = reference(length, w);
                String at = "W = " + w + ", length " + length + ": got " + java.util.Arrays.toString(b) + ", expected "
                        + java.util.Arrays.toString(ref) + "; ";
                if (b == null || b.length != w + 1) {
                    fail(at + "there must be W + 1 boundaries (slice r = [b[r], b[r+1]))");
                }
                if (b[0] != 0 || b[w] != length) {
                    fail(at + "the slices must cover the whole vector: b[0] = 0 and b[W] = length");
                }
                for (int r = 0; r < w; r++) {
                    if (b[r + 1] < b[r]) {
                        fail(at + "slice " + r + " ends before it starts: the slices overlap (each starts where the "
                                + "previous one ends)");
                    }
                }
                long min = Long.MAX_VALUE, max = 0;
                for (int r = 0; r < w; r++) {
                    min = Math.min(min, b[r + 1] - b[r]);
                    max = Math.max(max, b[r + 1] - b[r]);
                }
                if (max - min > 1) {
                    fail(at + "uneven slices (sizes from " + min + " to " + max + "): slices of ceil(L/W) leave the "
                            + "last ranks short or empty; balanced slices differ by at most one element");
                }
                if (!java.util.Arrays.equals(b, ref)) {
                    fail(at + "balanced, but not the communicator's bounds: the longer slices come first (the first "
                            + "L % W ranks get one more), otherwise reduce-scatter and all-gather cut elsewhere");
                }
            }
        }
        for (long[] bad : new long[][] {{-1, 2}, {5, 0}}) {
            try {
                shard.shardBounds(bad[0], (int) bad[1]);
                fail("shardBounds(" + bad[0] + ", " + bad[1] + ") must throw IllegalArgumentException (a negative "
                        + "length or fewer than one rank), it returned");
            } catch (IllegalArgumentException expected) {
                // the contract of OptimizerShard.shardBounds
            }
        }
    }

    @Graded(id = "10.1", points = 4, title = "every rank's full vector == unpartitioned AdamW after each of 3 steps "
            + "(W = 1..4, lengths 37 and 3)")
    void equalsPlainAdamW() {
        for (int[] wl : new int[][] {{1, 37}, {2, 37}, {3, 37}, {4, 37}, {4, 3}}) {
            int w = wl[0], length = wl[1];
            double[][] ref = plainAdamW(w, length);
            List<RankRun> runs = runShards(w, length, false);
            long[] b = reference(length, w);
            double[] init = initial(length);
            for (int r = 0; r < w; r++) {
                for (int s = 0; s < STEPS; s++) {
                    double[] got = runs.get(r).params()[s];
                    if (close(got, ref[s], 0, length)) continue;
                    double[] before = s == 0 ? init : runs.get(r).params()[s - 1];
                    String at = "W = " + w + ", length " + length + ", rank " + r + ", step " + (s + 1) + ": ";
                    boolean ownRight = close(got, ref[s], b[r], b[r + 1]);
                    boolean othersStale = true;
                    List<Integer> wrong = new ArrayList<>();
                    for (int q = 0; q < w; q++) {
                        if (!close(got, ref[s], b[q], b[q + 1])) wrong.add(q);
                        if (q != r && !close(got, before, b[q], b[q + 1])) othersStale = false;
                    }
                    if (ownRight && othersStale) {
                        fail(at + "this rank's own slice is right but the other slices were not updated: the "
                                + "all-gather is missing (every rank's full vector must equal plain AdamW's)");
                    }
                    int i = 0;
                    while (i < length && Math.abs(got[i] - ref[s][i]) <= 2e-5) i++;
                    fail(at + "slices " + wrong + " differ from unpartitioned AdamW (first at index " + i
                            + ": expected " + ref[s][i] + ", got " + got[i] + "). Check: the gradient of a slice is "
                            + "the MEAN over the ranks (reduce-scatter, then divide by W), not this rank's own; "
                            + "m and v persist between steps; t counts from 1 in the bias correction; decoupled "
                            + "weight decay multiplies w by (1 - lr·wd)");
                }
            }
        }
    }

    @Graded(id = "10.1", points = 3, title = "optimizer state per rank: 8 bytes × slice length (FLOAT), 8L over "
            + "all ranks, 0 before the first step")
    void stateIsPartitioned() {
        for (int[] wl : new int[][] {{2, 37}, {3, 37}, {4, 10}}) {
            int w = wl[0], length = wl[1];
            List<RankRun> runs = runShards(w, length, true);
            long[] b = reference(length, w);
            long sum = 0;
            for (int r = 0; r < w; r++) {
                RankRun run = runs.get(r);
                long slice = b[r + 1] - b[r];
                String at = "W = " + w + ", length " + length + ", rank " + r + " (slice of " + slice + "): ";
                if (run.stateBefore() != 0) {
                    fail(at + "stateBytes() was " + run.stateBefore() + " before the first step, expected 0 (the "
                            + "state is created on the first step)");
                }
                if (run.stateAfter() == 8L * length) {
                    fail(at + "stateBytes() = 8 × the whole length (" + 8L * length + "): the whole vector's m and v "
                            + "are kept and updated on every rank, which is plain data parallelism's memory; keep m "
                            + "and v for this rank's slice only: 8 × " + slice + " = " + 8 * slice + " bytes");
                }
                if (run.stateAfter() != 8L * slice) {
                    fail(at + "stateBytes() = " + run.stateAfter() + ", expected m and v of the slice in float32: "
                            + "2 × 4 × " + slice + " = " + 8 * slice + " bytes");
                }
                sum += run.stateAfter();
            }
            if (sum != 8L * length) {
                fail("W = " + w + ", length " + length + ": the ranks hold " + sum + " bytes of state together, "
                        + "expected exactly 8L = " + 8L * length + " (each element's m and v once)");
            }
        }
    }
}
