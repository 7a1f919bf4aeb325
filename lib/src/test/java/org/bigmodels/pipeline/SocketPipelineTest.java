package org.bigmodels.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigmodels.comm.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pipeline parallelism across processes: 2 worker JVMs over loopback sockets ({@link Launcher}) run the GPT's GPipe
 * and 1F1B steps with {@link PipelineRunner#runStage}, each stage's gradients and AdamW-updated weights equal to the
 * unsplit model's (checked inside each worker by {@link SocketPipelineMain}).
 */
@Timeout(120)
class SocketPipelineTest {
    static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    @Test
    void twoProcessesEqualTheUnsplitModel() {
        Launcher.Result res = Launcher.run(2, 90_000, JVM, SocketPipelineMain.class);
        assertTrue(res.ok(), res.describe());
        for (int r = 0; r < 2; r++) assertTrue(res.outputs()[r].contains("OK rank " + r), res.describe());
    }
}
