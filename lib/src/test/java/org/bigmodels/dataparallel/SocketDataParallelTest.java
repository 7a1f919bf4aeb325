package org.bigmodels.dataparallel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.comm.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data parallelism across processes: 2 worker JVMs over loopback sockets ({@link Launcher}, like torchrun with Gloo)
 * reach the weights of one worker on the concatenated batch, for the naive, bucketed and overlapped strategies
 * (checked inside each worker by {@link SocketDataParallelMain}).
 */
@Timeout(120)
class SocketDataParallelTest {
    static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    @Test
    void twoProcessesEqualTheConcatenatedBatch() {
        Launcher.Result res = Launcher.run(2, 90_000, JVM, SocketDataParallelMain.class);
        assertTrue(res.ok(), res.describe());
        for (int r = 0; r < 2; r++) assertTrue(res.outputs()[r].contains("OK rank " + r), res.describe());
    }
}
