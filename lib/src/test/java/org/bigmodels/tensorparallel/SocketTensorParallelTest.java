package org.bigmodels.tensorparallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigmodels.comm.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tensor parallelism across processes: 2 worker JVMs over loopback sockets ({@link Launcher}) hold half of a GPT
 * each ({@link TensorParallelGPT}); loss, bytes sent and every gradient shard equal the dense model's (checked inside
 * each worker by {@link SocketTensorParallelMain}).
 */
@Timeout(120)
class SocketTensorParallelTest {
    static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    @Test
    void twoProcessesEqualTheDenseGpt() {
        Launcher.Result res = Launcher.run(2, 90_000, JVM, SocketTensorParallelMain.class);
        assertTrue(res.ok(), res.describe());
        for (int r = 0; r < 2; r++) assertTrue(res.outputs()[r].contains("OK rank " + r), res.describe());
    }
}
