package org.bigmodels.exercises.lesson06;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.bigmodels.grading.Graded;

/**
 * Graded tests for exercise 06.2. References: a scripted schedule of pulls and pushes whose staleness is counted by
 * hand, the SGD update in plain double loops, and one-hot accounting with many threads (worker w's accepted pushes
 * add exactly 1 to element w, so the final parameters count how often each gradient was applied).
 */
class BoundedStalenessServerTest {

    static float[] grad(float... g) {
        return g;
    }

    @Graded(id = "06.2", points = 2, title = "accepted pushes applied in push order, w -= lr·g")
    void appliesInPushOrder() {
        float[] w0 = {1f, -2f, 0.5f};
        double lr = 0.1;
        BoundedStalenessServer ps = new BoundedStalenessServer(w0, lr, 10);
        w0[0] = 99f; // the server must have copied its initial parameters
        BoundedStalenessServer.Pulled a = ps.pull();
        assertNotNull(a, "pull() returned null");
        assertEquals(0, a.version(), "a fresh server is at version 0");
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, a.parameters(), "initial parameters must be copied at construction");
        a.parameters()[1] = 1234f; // a pull is a copy: changing it must not change the server
        double[] ref = {1, -2, 0.5};
        float[][] gs = {{0.5f, 1f, -1f}, {2f, 0f, 0.25f}, {-1f, 3f, 1f}};
        BoundedStalenessServer.Pulled[] pulls = {a, ps.pull(), ps.pull()};
        for (int k = 0; k < 3; k++) {
            assertTrue(ps.push(gs[k], pulls[k].version()), "push " + k + " has staleness " + k + " <= 10: accept it");
            for (int i = 0; i < 3; i++) ref[i] = (float) (ref[i] - lr * gs[k][i]);
            float[] got = ps.parameters();
            for (int i = 0; i < 3; i++) {
                assertEquals(ref[i], got[i], 1e-6, "after push " + k + ", w[" + i + "]: expected w -= lr·g (minus, "
                        + "times the learning rate, once per accepted push)");
            }
            assertEquals(k + 1, ps.version(), "the version counts the updates applied");
        }
        assertArrayEquals(new int[] {0, 1, 2}, ps.appliedStaleness(),
                "the staleness log must list the applied pushes in the order they were applied");
    }

    @Graded(id = "06.2", points = 2, title = "staleness = updates applied since the pull")
    void stalenessCountsUpdatesSinceThePull() {
        BoundedStalenessServer ps = new BoundedStalenessServer(new float[2], 1.0, 100);
        BoundedStalenessServer.Pulled slow = ps.pull();          // version 0
        for (int k = 0; k < 3; k++) assertTrue(ps.push(grad(1f, 0f), ps.pull().version()));   // fresh: staleness 0
        BoundedStalenessServer.Pulled mid = ps.pull();           // version 3
        assertTrue(ps.push(grad(0f, 1f), slow.version()));      // 3 updates since version 0
        assertTrue(ps.push(grad(0f, 1f), mid.version()));       // 1 update since version 3
        int[] log = ps.appliedStaleness();
        assertArrayEquals(new int[] {0, 0, 0, 3, 1}, log, "staleness must be version() at the push minus the pulled "
                + "version: the updates applied in between (not counting the push itself: off by one?)");
        assertEquals(5, ps.version());
    }

    @Graded(id = "06.2", points = 2, title = "the bound is enforced: s accepted, s + 1 rejected, nothing changed")
    void boundEnforced() {
        int s = 2;
        BoundedStalenessServer ps = new BoundedStalenessServer(new float[] {0f, 0f}, 1.0, s);
        BoundedStalenessServer.Pulled old = ps.pull();
        BoundedStalenessServer.Pulled older = ps.pull();
        for (int k = 0; k < s; k++) assertTrue(ps.push(grad(1f, 0f), ps.pull().version()));
        assertTrue(ps.push(grad(0f, 1f), old.version()), "staleness exactly s = " + s + " must be accepted (<= s)");
        float[] before = ps.parameters();
        long version = ps.version();
        assertFalse(ps.push(grad(0f, 100f), older.version()), "staleness s + 1 = " + (s + 1) + " must be rejected");
        assertArrayEquals(before, ps.parameters(), "a rejected push must not change the parameters");
        assertEquals(version, ps.version(), "a rejected push must not change the version");
        assertEquals(1, ps.rejected(), "rejected() counts rejected pushes");
        assertArrayEquals(new int[] {0, 0, 2}, ps.appliedStaleness(), "a rejected push is not in the applied log");

        BoundedStalenessServer sync = new BoundedStalenessServer(new float[] {0f}, 1.0, 0);
        BoundedStalenessServer.Pulled p1 = sync.pull(), p2 = sync.pull();
        assertTrue(sync.push(grad(1f), p1.version()));
        assertFalse(sync.push(grad(1f), p2.version()), "s = 0 accepts only gradients on the current parameters");
        assertEquals(-1f, sync.parameters()[0]);
    }

    @Graded(id = "06.2", points = 2, title = "8 threads: every accepted gradient applied exactly once, bound kept")
    void concurrentAccounting() throws Exception {
        int workers = 8, pushes = 1000, s = 3, block = 2000;
        int length = 1 + workers * block; // element 0 is shared by all; worker w owns a block of its own
        BoundedStalenessServer ps = new BoundedStalenessServer(new float[length], 1.0, s);
        AtomicLong[] accepted = new AtomicLong[workers];
        Throwable[] errors = new Throwable[workers];
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            int me = w;
            accepted[w] = new AtomicLong();
            threads[w] = new Thread(() -> {
                try {
                    start.await();
                    float[] g = new float[length];
                    g[0] = -1f; // w -= lr·g adds exactly 1 to element 0 ...
                    for (int i = 0; i < block; i++) g[1 + me * block + i] = -1f; // ... and to worker me's block
                    for (int k = 0; k < pushes; k++) {
                        BoundedStalenessServer.Pulled p = ps.pull();
                        if (k % 3 == 0) Thread.yield();
                        if (ps.push(g, p.version())) accepted[me].incrementAndGet();
                    }
                } catch (Throwable t) {
                    errors[me] = t;
                }
            });
            threads[w].start();
        }
        start.countDown();
        for (Thread t : threads) t.join(60_000);
        long total = 0;
        float[] w = ps.parameters();
        for (int k = 0; k < workers; k++) {
            if (errors[k] instanceof UnsupportedOperationException u) throw u;
            if (errors[k] != null) fail("worker " + k + " failed: " + errors[k] + " (is the server thread-safe?)");
            total += accepted[k].get();
            for (int i = 0; i < block; i++) {
                float got = w[1 + k * block + i];
                if (got != accepted[k].get()) {
                    fail("worker " + k + " had " + accepted[k].get() + " pushes accepted, but its element " + i
                            + " was updated " + got + " times: an accepted push must be applied exactly once");
                }
            }
        }
        String atomic = " (a lost or doubled update: the staleness check, the apply, the version increment and the"
                + " log must happen as one atomic step, under one lock)";
        assertEquals(total, (long) w[0], "element 0, which every accepted push increments, counts " + w[0]
                + " applies for " + total + " accepted pushes" + atomic);
        assertEquals(total, ps.version(), "version() must equal the number of accepted pushes" + atomic);
        assertEquals((long) workers * pushes, total + ps.rejected(), "every push is accepted or rejected, once"
                + atomic);
        int[] log = ps.appliedStaleness();
        assertEquals(total, log.length, "one staleness entry per applied push" + atomic);
        for (int st : log) {
            if (st < 0 || st > s) fail("an applied push had staleness " + st + " outside [0, " + s + "]" + atomic);
        }
    }

    @Graded(id = "06.2", points = 1, title = "bad input gets a clear IllegalArgumentException")
    void badInput() {
        DirichletSharderTest.expectMessage(() -> new BoundedStalenessServer(new float[0], 0.1, 1), null,
                "empty parameters");
        DirichletSharderTest.expectMessage(() -> new BoundedStalenessServer(new float[2], 0, 1), null, "lr = 0");
        DirichletSharderTest.expectMessage(() -> new BoundedStalenessServer(new float[2], Double.NaN, 1), null,
                "lr = NaN");
        DirichletSharderTest.expectMessage(() -> new BoundedStalenessServer(new float[2], 0.1, -1), "-1",
                "a negative staleness bound");
        BoundedStalenessServer ps = new BoundedStalenessServer(new float[2], 0.1, 1);
        DirichletSharderTest.expectMessage(() -> ps.push(new float[3], 0), "3", "a gradient of the wrong length");
        DirichletSharderTest.expectMessage(() -> ps.push(new float[] {0f, Float.NaN}, 0), "NaN", "a NaN gradient");
        DirichletSharderTest.expectMessage(() -> ps.push(new float[2], 5), "5", "a version from the future");
        DirichletSharderTest.expectMessage(() -> ps.push(new float[2], -1), "-1", "a negative version");
        assertEquals(0, ps.version(), "bad pushes must not change the version");
    }
}
