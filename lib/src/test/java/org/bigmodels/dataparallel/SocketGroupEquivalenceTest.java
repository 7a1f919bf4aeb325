package org.bigmodels.dataparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.SocketCommunicator;
import org.bigmodels.comm.WorkerThreads;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * The same equivalence as {@link DataParallelEquivalenceTest}, on the socket backend: every rank's gradients go
 * through real loopback sockets (serialized frames), with the ranks as threads of one JVM so that W = 1..4 stays
 * quick ({@link SocketDataParallelTest} runs W = 2 as separate processes). W workers on b examples each equal one
 * worker on the concatenated W·b examples, for the naive, bucketed and overlapped strategies.
 */
class SocketGroupEquivalenceTest {

    static void check(String name, DataParallelTrainer.Strategy strategy) {
        for (int w = 1; w <= 4; w++) {
            MLP ref = DataParallelEquivalenceTest.reference(w, DataParallelEquivalenceTest.PER_WORKER,
                    DataParallelEquivalenceTest.STEPS);
            var dp = new DataParallelTrainer<>(r -> DataParallelEquivalenceTest.model(7 + 13 * r),
                    m -> new SGD(m.parameters(), 0.2, 0.9, 0), DataParallelEquivalenceTest::loss,
                    DataParallelEquivalenceTest.CONFIG, strategy);
            List<Communicator> group = SocketCommunicator.localGroup(w, DataParallelEquivalenceTest.TIMEOUT);
            try {
                var replicas = WorkerThreads.run(group, DataParallelEquivalenceTest.TIMEOUT,
                        comm -> dp.fitSteps(comm, DataParallelEquivalenceTest.STEPS,
                                DataParallelEquivalenceTest.contiguous(DataParallelEquivalenceTest.PER_WORKER)));
                for (var r : replicas) {
                    DataParallelEquivalenceTest.assertSameWeights(ref, r.model(), 1e-12,
                            name + " over sockets, W=" + w + " rank " + r.rank());
                    assertEquals(DataParallelEquivalenceTest.STEPS, r.trainer().step());
                }
            } finally {
                group.forEach(Communicator::close);
            }
        }
    }

    @Test
    void naiveOverSocketsEqualsTheConcatenatedBatch() {
        check("naive", DataParallelTrainer.naive());
    }

    @Test
    void bucketedOverSocketsEqualsTheConcatenatedBatch() {
        check("bucketed", DataParallelTrainer.bucketed(200));
    }

    @Test
    void overlappedOverSocketsEqualsTheConcatenatedBatch() {
        check("overlapped", DataParallelTrainer.overlapped(200));
    }
}
