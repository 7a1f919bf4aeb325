package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket backend across real worker processes started by {@link Launcher}: every all-reduce against the plain
 * sum (and the bytes against the formulas) for N = 2, 3, 4 JVMs, (the killed-worker case is {@link SocketProcessFailureTest}).
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
}
