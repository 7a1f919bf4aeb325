package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket backend across real worker processes started by {@link Launcher}: every all-reduce against the plain
 * sum (and the bytes against the formulas) for N = 2, 3, 4 JVMs, and a killed worker process making the others fail
 * with an error naming it, within the time-out.
 */
@Timeout(120)
class SocketProcessTest {
    static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    @Test
    void allReduceAcrossProcessesEqualsThePlainSum() {
        for (int n = 2; n <= 4; n++) {
            Launcher.Result res = Launcher.run(n, 60_000, JVM, SocketWorkerMain.class, "allreduce");
            assertTrue(res.ok(), res.describe());
            for (int r = 0; r < n; r++) {
                assertTrue(res.outputs()[r].contains("OK rank " + r), res.describe());
            }
        }
    }

    @Test
    void aKilledWorkerProcessMakesTheOthersFailNamingIt() {
        int n = 3;
        int victim = 2;
        long timeout = 60_000;
        Launcher.Result res = Launcher.run(n, timeout, JVM, SocketWorkerMain.class, "die", String.valueOf(victim));
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
