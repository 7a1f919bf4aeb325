package org.bigmodels.dataparallel;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bigmodels.comm.CommunicationException;
import org.bigmodels.engine.Ops;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.Batch;
import org.bigmodels.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding 11: a 2-worker run interrupted after step 3 (rank 0's checkpoint every step) and resumed with
 * {@link DataParallelTrainer#resumeFrom} ends with exactly the weights of the uninterrupted 6-step run, on both ranks.
 */
class DataParallelResumeTest {
    @TempDir
    Path dir;

    static final int STEPS = 6, CRASH = 3;

    static DataParallelTrainer<MLP> trainer(TrainConfig config) {
        return new DataParallelTrainer<>(r -> DataParallelEquivalenceTest.model(7 + 13 * r),
                m -> Adam.adamW(m.parameters(), 0.02, 0.1),
                (MLP m, Batch b) -> Ops.crossEntropy(m.forward(b.x()), b.y()), config, DataParallelTrainer.naive());
    }

    static Map<String, double[]> weights(MLP m) {
        Map<String, double[]> out = new java.util.TreeMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.value().dup('c').reshape(t.value().length()).toDoubleVector()));
        return out;
    }

    @Test
    void anInterruptedTwoWorkerRunResumedEqualsTheUninterruptedOne() {
        TrainConfig cfg = DataParallelEquivalenceTest.CONFIG;
        var source = DataParallelEquivalenceTest.contiguous(3);
        List<DataParallelTrainer.Replica<MLP>> straight = trainer(cfg).fitSteps(2, 20_000, STEPS, source);

        Path ck = dir.resolve("dp.ck");
        // the interrupted run: a crash at step CRASH (both ranks fail there; rank 0 has written steps 1..CRASH)
        DataParallelTrainer.ShardSource crashing = (rank, w) -> {
            var s = source.forRank(rank, w);
            return step -> {
                if (step == CRASH) throw new IllegalStateException("simulated crash at step " + step);
                return s.apply(step);
            };
        };
        assertThrows(CommunicationException.class, () -> trainer(cfg.withCheckpoint(ck, 1))
                .fitSteps(2, 20_000, STEPS, crashing));

        // resumed: only the steps after the checkpoint may run (a fresh run of all 6 steps would end equal too)
        DataParallelTrainer.ShardSource onlyTheRest = (rank, w) -> {
            var s = source.forRank(rank, w);
            return step -> {
                if (step < CRASH) throw new IllegalStateException("rank " + rank + " ran step " + step + " again");
                return s.apply(step);
            };
        };
        List<DataParallelTrainer.Replica<MLP>> resumed = trainer(cfg).resumeFrom(ck).fitSteps(2, 20_000, STEPS, onlyTheRest);
        Map<String, double[]> expect = weights(straight.get(0).model());
        for (var r : resumed) {
            assertEquals(STEPS, r.trainer().step(), "rank " + r.rank());
            Map<String, double[]> got = weights(r.model());
            expect.forEach((n, w) -> assertArrayEquals(w, got.get(n), 0.0, "rank " + r.rank() + " resumed: " + n));
        }
    }
}
