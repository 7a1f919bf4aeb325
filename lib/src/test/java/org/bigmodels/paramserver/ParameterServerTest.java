package org.bigmodels.paramserver;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bigmodels.compression.GradientCompressor;
import org.bigmodels.compression.TopKCompressor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parameter server against independent references: plain averaged-gradient SGD in double loops (BSP), and
 * accounting by one-hot gradients (worker w's step t adds to its own element, so the final parameters show how many
 * times each gradient was applied: once, never, or twice). Every wait is bounded; no speed is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParameterServerTest {
    static final long RUN_TIMEOUT = 20_000;

    // ---- a least-squares model y ≈ X·W + b: parameters W (float[D]) and b (float[1]) ----
    static final int D = 5, B = 3, ROWS = 40;
    static final double[][] X = new double[ROWS][D];
    static final double[] Y = new double[ROWS];

    static {
        Random rng = new Random(42);
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D; j++) X[r][j] = rng.nextGaussian();
            Y[r] = rng.nextGaussian();
        }
    }

    /** Row of worker w's i-th example at step t: global batch t is rows [t·N·B, (t+1)·N·B), worker w's slice of it. */
    static int row(int n, int w, int t, int i) {
        return (t * n * B + w * B + i) % ROWS;
    }

    /** Gradient of the mean squared error over worker w's B rows, at the pulled parameters. */
    static WorkerGradient leastSquares(int n) {
        return (w, t, p) -> {
            float[] gw = new float[D];
            double gb = 0;
            double[] acc = new double[D];
            for (int i = 0; i < B; i++) {
                int r = row(n, w, t, i);
                double e = p[1][0] - Y[r];
                for (int j = 0; j < D; j++) e += X[r][j] * p[0][j];
                for (int j = 0; j < D; j++) acc[j] += 2 * e * X[r][j] / B;
                gb += 2 * e / B;
            }
            for (int j = 0; j < D; j++) gw[j] = (float) acc[j];
            return new float[][] {gw, {(float) gb}};
        };
    }

    /** Reference: one worker, plain SGD in double on the concatenated batch of N·B rows per step. */
    static double[] referenceSgd(int n, int steps, double lr, double[] w0) {
        double[] w = w0.clone(); // D weights then the bias
        for (int t = 0; t < steps; t++) {
            double[] g = new double[D + 1];
            for (int k = 0; k < n * B; k++) {
                int r = (t * n * B + k) % ROWS;
                double e = w[D] - Y[r];
                for (int j = 0; j < D; j++) e += X[r][j] * w[j];
                for (int j = 0; j < D; j++) g[j] += 2 * e * X[r][j] / (n * B);
                g[D] += 2 * e / (n * B);
            }
            for (int j = 0; j <= D; j++) w[j] -= lr * g[j];
        }
        return w;
    }

    static float[][] initialModel() {
        return new float[][] {{0.5f, -0.25f, 0.125f, 1f, -1f}, {0.25f}};
    }

    @Test
    void synchronousServerEqualsSingleWorkerSgdOnTheConcatenatedBatch() {
        int steps = 6;
        double lr = 0.05;
        for (int n = 1; n <= 4; n++) {
            for (int shards = 1; shards <= 2; shards++) {
                ParameterServer ps = ParameterServer.builder(initialModel()).workers(n).shards(shards)
                        .learningRate(lr).timeoutMillis(5_000).build();
                ServerTrainingRun run = ServerTrainingRun.run(ps, steps, leastSquares(n), FaultPlan.none(), null,
                        RUN_TIMEOUT);
                double[] ref = referenceSgd(n, steps, lr, new double[] {0.5, -0.25, 0.125, 1, -1, 0.25});
                float[][] got = ps.parameters();
                for (int j = 0; j < D; j++) assertEquals(ref[j], got[0][j], 1e-5, "N=" + n + " S=" + shards + " W" + j);
                assertEquals(ref[D], got[1][0], 1e-5, "N=" + n + " S=" + shards + " bias");
                ServerStats s = run.stats();
                assertEquals(steps, s.updates(), "BSP applies one averaged update per step");
                assertEquals((long) n * steps, s.pushesApplied());
                assertEquals(run.totalPushesSent(), s.pushesApplied());
                assertEquals(0, s.maxStaleness(), "BSP gradients are never stale");
                assertEquals(0, s.maxClockLag());
                assertEquals((long) n * steps * 4 * (D + 1), s.bytesPushed(), "4 bytes per float pushed");
                assertEquals((long) n * steps * 4 * (D + 1), s.bytesPulled(), "4 bytes per float pulled");
            }
        }
    }

    // ---- accounting: P parameters of length N·STEPS; worker w's step t pushes 1 at element w·STEPS + t of each ----

    static float[][] zeros(int p, int len) {
        return new float[p][len];
    }

    static WorkerGradient oneHot(int n, int steps, int params, AtomicLong computed) {
        return (w, t, p) -> {
            computed.incrementAndGet();
            float[][] g = new float[params][n * steps];
            for (int q = 0; q < params; q++) g[q][w * steps + t] = 1f;
            return g;
        };
    }

    @Test
    void asynchronousServerAppliesEveryPushOnceDespiteAStraggler() {
        int n = 3, steps = 8;
        AtomicLong computed = new AtomicLong();
        ParameterServer ps = ParameterServer.builder(zeros(2, n * steps)).workers(n).shards(2)
                .consistency(ConsistencyModel.ASYNCHRONOUS).learningRate(1).timeoutMillis(5_000).build();
        FaultPlan plan = FaultPlan.none().straggleAt(1, 2, 150).straggleAt(2, 0, 100);
        ServerTrainingRun run = ServerTrainingRun.run(ps, steps, oneHot(n, steps, 2, computed), plan, null,
                RUN_TIMEOUT);
        float[][] w = ps.parameters();
        for (int q = 0; q < 2; q++) {
            for (int i = 0; i < n * steps; i++) {
                assertEquals(-1f, w[q][i], 0f, "param " + q + " element " + i + " (worker " + i / steps + ", step "
                        + i % steps + "): -1 = applied once, 0 = lost, -2 = applied twice");
            }
        }
        ServerStats s = run.stats();
        assertEquals(computed.get(), s.pushesApplied());
        assertEquals(n * steps, s.pushesApplied());
        assertEquals(n * steps, s.updates(), "async: one update per push");
        assertEquals(n * steps, s.staleness().size());
        assertEquals(n * steps, java.util.Arrays.stream(s.stalenessHistogram()).sum());
        for (int w2 = 0; w2 < n; w2++) assertEquals(steps, run.stepsCompleted(w2));
    }

    /**
     * Worker 2 pulls step 0, then blocks in its gradient until the others have finished (async: they never wait for
     * it), or until a short bounded wait ends (SSP: they are waiting for it). The others start computing only once
     * worker 2 has pulled, so what each model records does not depend on thread start-up order.
     */
    static WorkerGradient gatedOneHot(ParameterServer ps, int n, int steps, AtomicLong computed) {
        WorkerGradient inner = oneHot(n, steps, 1, computed);
        CountDownLatch slowPulled = new CountDownLatch(1);
        return (w, t, p) -> {
            try {
                if (w == 2 && t == 0) {
                    slowPulled.countDown();
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    while (ps.stats().pushesApplied() < (long) (n - 1) * steps && System.nanoTime() < end) {
                        Thread.sleep(1);
                    }
                } else if (t == 0) {
                    assertTrue(slowPulled.await(5, TimeUnit.SECONDS), "worker 2 never pulled");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.gradient(w, t, p);
        };
    }

    @Test
    void boundedStalenessNeverLetsAWorkerRunMoreThanSStepsAhead() {
        int n = 3, steps = 10;
        for (int s = 0; s <= 2; s++) {
            AtomicLong computed = new AtomicLong();
            ParameterServer ps = ParameterServer.builder(zeros(1, n * steps)).workers(n)
                    .consistency(ConsistencyModel.BOUNDED_STALENESS).staleness(s).learningRate(1)
                    .timeoutMillis(5_000).build();
            ServerTrainingRun run = ServerTrainingRun.run(ps, steps,
                    gatedOneHot(ps, n, steps, computed), FaultPlan.none(), null, RUN_TIMEOUT);
            ServerStats st = run.stats();
            assertTrue(st.maxClockLag() <= s, "SSP s=" + s + ": a worker pulled " + st.maxClockLag()
                    + " steps ahead of the slowest");
            assertEquals(s, st.maxClockLag(), "s=" + s + ": with worker 2 held back, the others reach the bound");
            int bound = (n - 1) * (2 * s + 1);
            assertTrue(st.maxStaleness() <= bound, "SSP s=" + s + ": staleness " + st.maxStaleness()
                    + " exceeds (N-1)(2s+1) = " + bound);
            assertEquals(n * steps, st.pushesApplied());
            assertEquals(computed.get(), st.pushesApplied());
            for (float v : ps.parameters()[0]) assertEquals(-1f, v, 0f, "every push applied exactly once");
        }
    }

    @Test
    void asynchronousServerHasNoBoundWhereSspHasOne() {
        // The same held-back worker under ASYNCHRONOUS: the others run all their steps ahead (shows the SSP test's
        // bound is the server's doing, not the schedule's).
        int n = 3, steps = 10;
        AtomicLong computed = new AtomicLong();
        ParameterServer ps = ParameterServer.builder(zeros(1, n * steps)).workers(n)
                .consistency(ConsistencyModel.ASYNCHRONOUS).learningRate(1).timeoutMillis(5_000).build();
        ServerTrainingRun run = ServerTrainingRun.run(ps, steps, gatedOneHot(ps, n, steps, computed), FaultPlan.none(), null, RUN_TIMEOUT);
        assertEquals(steps - 1, run.stats().maxClockLag());
        assertEquals(2 * steps, run.stats().maxStaleness(), "worker 2's first gradient is 2·steps updates stale");
        assertEquals(computed.get(), run.stats().pushesApplied());
    }

    @Test
    void synchronousServerStopsNamingTheFailedWorkerAndAbandonsTheStepVisibly() {
        int n = 3, steps = 5;
        AtomicLong computed = new AtomicLong();
        ParameterServer ps = ParameterServer.builder(zeros(1, n * steps)).workers(n).learningRate(n)
                .timeoutMillis(5_000).build();
        WorkerFailedException e = assertThrows(WorkerFailedException.class, () -> ServerTrainingRun.run(ps, steps,
                oneHot(n, steps, 1, computed), FaultPlan.none().failAt(1, 2), null, RUN_TIMEOUT));
        assertEquals(1, e.failedWorker());
        assertEquals(2, e.step());
        assertTrue(e.getMessage().contains("worker 1 failed at step 2"), e.getMessage());
        assertTrue(e.getMessage().contains("abandoned"), e.getMessage());
        ServerStats s = ps.stats();
        // Worker 1 fails at the start of step 2, right after pushing step 1: whether the others had pushed step 1
        // by then is up to the scheduler, so step 1 or step 2 is the one abandoned. Either way, by accounting:
        long done = s.updates();
        assertTrue(done == 1 || done == 2, "steps applied before the stop: " + done);
        assertEquals(1, s.stepsAbandoned());
        assertEquals(n * done, s.pushesApplied());
        assertEquals(computed.get(), s.pushesApplied() + s.pushesAbandoned() + s.pushesPending(),
                "every gradient computed is applied or visibly abandoned");
        assertEquals(0, s.pushesPending());
        assertEquals(List.of(1), s.failedWorkers());
        float[] w = ps.parameters()[0];
        for (int i = 0; i < n * steps; i++) {
            float expected = i % steps < done ? -1f : 0f; // lr = N: lr·(1/N) = 1 per applied gradient
            assertEquals(expected, w[i], 1e-6f, "worker " + i / steps + " step " + i % steps
                    + ": -1 applied once, 0 abandoned; anything else is a lost, partial or repeated update");
        }
    }

    @Test
    void synchronousServerCanContinueWithTheSurvivors() {
        int n = 3, steps = 5;
        AtomicLong computed = new AtomicLong();
        ParameterServer ps = ParameterServer.builder(zeros(1, n * steps)).workers(n).shards(1).learningRate(6)
                .onFailure(FailurePolicy.CONTINUE_WITH_SURVIVORS).timeoutMillis(5_000).build();
        ServerTrainingRun run = ServerTrainingRun.run(ps, steps, oneHot(n, steps, 1, computed),
                FaultPlan.none().failAt(1, 2), null, RUN_TIMEOUT);
        ServerStats s = run.stats();
        assertEquals(steps, s.updates());
        assertEquals(n * 2 + (n - 1) * (steps - 2), s.pushesApplied());
        assertEquals(computed.get(), s.pushesApplied());
        assertEquals(0, s.pushesAbandoned());
        assertInstanceOf(InjectedFaultException.class, run.failure(1));
        assertEquals(2, run.stepsCompleted(1));
        float[] w = ps.parameters()[0];
        for (int i = 0; i < n * steps; i++) {
            int worker = i / steps, step = i % steps;
            // Reference: averaged SGD over whoever is alive: lr 6 / 3 workers = 2, lr 6 / 2 survivors = 3.
            float expected = step < 2 ? -2f : worker == 1 ? 0f : -3f;
            assertEquals(expected, w[i], 1e-6f, "worker " + worker + " step " + step);
        }
    }

    @Test
    void asynchronousServerToleratesAFailedWorker() {
        int n = 3, steps = 6;
        AtomicLong computed = new AtomicLong();
        ParameterServer ps = ParameterServer.builder(zeros(1, n * steps)).workers(n)
                .consistency(ConsistencyModel.ASYNCHRONOUS).learningRate(1).timeoutMillis(5_000).build();
        ServerTrainingRun run = ServerTrainingRun.run(ps, steps, oneHot(n, steps, 1, computed),
                FaultPlan.none().failAt(0, 3), null, RUN_TIMEOUT);
        assertEquals(3, run.stepsCompleted(0));
        assertEquals(steps, run.stepsCompleted(1));
        assertEquals(computed.get(), run.stats().pushesApplied());
        assertEquals(3 + 2 * steps, run.stats().pushesApplied());
    }

    @Test
    void aGradientCannotBePushedTwice() {
        ParameterServer ps = ParameterServer.builder(zeros(1, 2)).workers(2)
                .consistency(ConsistencyModel.ASYNCHRONOUS).learningRate(1).build();
        ParameterSnapshot snap = ps.pull(0, 0);
        ps.push(0, 0, snap, new float[][] {{1, 0}});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ps.push(0, 0, snap, new float[][] {{1, 0}}));
        assertTrue(e.getMessage().contains("already pushed"), e.getMessage());
        assertEquals(1, ps.stats().pushesApplied());
        assertArrayEquals(new float[] {-1, 0}, ps.parameters()[0], 0f);
    }

    @Test
    void compressedPushesCountWireBytesAndLoseNothing() {
        // Constant dyadic gradients (independent of the parameters), lr = 1: init - final - residuals == Σ gradients,
        // exactly, when each worker's top-k residual is added back.
        int n = 2, steps = 7, len = 6;
        List<GradientCompressor> made = Collections.synchronizedList(new ArrayList<>());
        ParameterServer ps = ParameterServer.builder(zeros(2, len)).workers(n).shards(2)
                .consistency(ConsistencyModel.ASYNCHRONOUS).learningRate(1).build();
        WorkerGradient g = (w, t, p) -> {
            float[][] out = new float[2][len];
            for (int q = 0; q < 2; q++) for (int i = 0; i < len; i++) out[q][i] = ((w + 1) * (i + 1) * (q + 1) % 7) / 8f;
            return out;
        };
        ServerTrainingRun run = ServerTrainingRun.run(ps, steps, g, FaultPlan.none(), () -> {
            GradientCompressor c = new TopKCompressor(2);
            made.add(c);
            return c;
        }, RUN_TIMEOUT);
        assertEquals((long) n * steps * 2 * (8 * 2), run.stats().bytesPushed(), "top-2: 2 entries x 8 bytes per tensor");
        assertEquals(n * 2, made.size(), "one compressor per worker and parameter");
        double[][] total = new double[2][len];
        for (int w = 0; w < n; w++) {
            float[][] one = g.gradient(w, 0, null);
            for (int q = 0; q < 2; q++) for (int i = 0; i < len; i++) total[q][i] += steps * (double) one[q][i];
        }
        double[][] recovered = new double[2][len];
        float[][] finalW = ps.parameters();
        for (int q = 0; q < 2; q++) for (int i = 0; i < len; i++) recovered[q][i] = -finalW[q][i];
        // All gradients are >= 0, so a lost or repeated entry cannot cancel out in these sums.
        double residualSum = 0;
        for (GradientCompressor c : made) for (float r : c.residual()) residualSum += r;
        double appliedSum = 0, totalSum = 0;
        for (int q = 0; q < 2; q++) for (int i = 0; i < len; i++) {
            appliedSum += recovered[q][i];
            totalSum += total[q][i];
        }
        assertEquals(totalSum, appliedSum + residualSum, 0.0, "applied + residuals == all gradients computed");
    }

    @Test
    void shardingByParameterBalancesElements() {
        assertArrayEquals(new int[] {0, 1, 1, 0}, ParameterServer.assignShards(new int[] {5, 3, 3, 1}, 2));
        assertArrayEquals(new int[] {0, 1, 2}, ParameterServer.assignShards(new int[] {4, 4, 4}, 3));
    }

    @Test
    void aWaitForAWorkerThatNeverPushesEndsWithAClearError() {
        ParameterServer ps = ParameterServer.builder(zeros(1, 2)).workers(2).timeoutMillis(200).build();
        ParameterSnapshot s0 = ps.pull(0, 0);
        ps.push(0, 0, s0, new float[][] {{1, 1}});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ps.pull(0, 1));
        assertTrue(e.getMessage().contains("worker 1 at step 0"), e.getMessage());
        assertEquals(1, ps.stats().pushesPending(), "held, neither applied nor lost");
    }

    @Test
    void badInputGetsAClearError() {
        float[][] p = zeros(2, 3);
        List<Runnable> bad = List.of(
                () -> ParameterServer.builder(p).workers(0).build(),
                () -> ParameterServer.builder(p).build(),
                () -> ParameterServer.builder(p).workers(2).staleness(-1).build(),
                () -> ParameterServer.builder(p).workers(2).shards(0).build(),
                () -> ParameterServer.builder(p).workers(2).shards(3).build(),
                () -> ParameterServer.builder(p).workers(2).learningRate(0).build(),
                () -> ParameterServer.builder(p).workers(2).timeoutMillis(0).build(),
                () -> ParameterServer.builder(new float[0][]).workers(2).build(),
                () -> FaultPlan.none().failAt(-1, 0),
                () -> FaultPlan.none().straggleAt(0, 0, -5));
        for (Runnable r : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().contains("got"), "says what was got: " + e.getMessage());
        }
        ParameterServer ps = ParameterServer.builder(p).workers(2).consistency(ConsistencyModel.ASYNCHRONOUS).build();
        assertThrows(IllegalArgumentException.class, () -> ps.pull(2, 0));
        ParameterSnapshot s = ps.pull(0, 0);
        assertThrows(IllegalArgumentException.class, () -> ps.push(0, 0, s, new float[][] {{1, 2, 3}}));
        assertThrows(IllegalArgumentException.class, () -> ps.push(0, 0, s, new float[][] {{1, 2, 3}, {1, 2}}));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> ps.push(0, 0, s, new float[][] {{1, 2, 3}, {1, Float.NaN, 3}}));
        assertTrue(nan.getMessage().contains("gradient 1[1]"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ps.push(1, 0, s, new float[][] {{1, 2, 3}, {1, 2, 3}}));
        assertEquals(0, ps.stats().pushesApplied(), "nothing applied by a refused push");
        assertThrows(IllegalStateException.class, () -> ps.pull(0, 3), "steps come in order");
    }
}
