package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker process that dies (halts its JVM, as a kill would) in the middle of a job: the surviving processes must
 * fail with a CommunicationException naming it as died, long before the time-out, never hang.
 */
@Timeout(120)
class SocketProcessFailureTest {
    @Test
    void aKilledWorkerProcessMakesTheOthersFailNamingIt() {
        int n = 3;
        int victim = 2;
        long timeout = 60_000;
        Launcher.Result res = Launcher.run(n, timeout, SocketProcessTest.JVM, SocketWorkerMain.class, "die", String.valueOf(victim));
        assertTrue(!res.timedOut(), res.describe());
        assertEquals(3, res.exitCodes()[victim], res.describe());
        for (int r = 0; r < n; r++) {
            if (r != victim) {
                assertEquals(7, res.exitCodes()[r], "rank " + r + " should have caught the failure\n" + res.describe());
                String out = res.outputs()[r];
                assertTrue(out.contains("CAUGHT") && out.contains("rank " + victim) && out.contains("died"),
                        "rank " + r + "'s error should name rank " + victim + " as died\n" + res.describe());
            }
        }
        assertTrue(res.elapsedMillis() < timeout / 2, "the failure should be detected long before the time-out: "
                + res.elapsedMillis() + " ms");
    }
}
