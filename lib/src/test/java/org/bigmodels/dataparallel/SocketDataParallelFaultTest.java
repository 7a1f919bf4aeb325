package org.bigmodels.dataparallel;

import static org.bigmodels.dataparallel.DataParallelFaultTest.*;

import java.util.List;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.SocketCommunicator;
import org.bigmodels.comm.WorkerThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checks of {@link DataParallelFaultTest} over real loopback sockets (ranks as threads of one JVM, as in
 * {@link SocketGroupEquivalenceTest}): a failed rank aborts its connections, the peers fail at once naming it, and
 * no replica applies the abandoned step; a straggler only delays the run.
 */
@Timeout(30)
class SocketDataParallelFaultTest {

    static final Backend SOCKETS = (dp, w, steps) -> {
        List<Communicator> group = SocketCommunicator.localGroup(w, FAULT_TIMEOUT);
        try {
            return WorkerThreads.run(group, FAULT_TIMEOUT,
                    comm -> dp.fitSteps(comm, steps, DataParallelEquivalenceTest.contiguous(
                            DataParallelEquivalenceTest.PER_WORKER)));
        } finally {
            group.forEach(Communicator::close);
        }
    };

    @Test
    void aFailedRankStopsTheRunAndNoReplicaAppliesTheAbandonedStep() {
        checkFailure(SOCKETS, "naive over sockets", DataParallelTrainer.naive(), 2, 1);
        checkFailure(SOCKETS, "overlapped over sockets", DataParallelTrainer.overlapped(200), 2, 0);
        checkFailure(SOCKETS, "bucketed over sockets, W=3", DataParallelTrainer.bucketed(200), 3, 1);
    }

    @Test
    void aStragglerDelaysTheRunButTheResultIsExactlyTheReference() {
        checkStraggler(SOCKETS, "naive over sockets", DataParallelTrainer.naive());
        checkStraggler(SOCKETS, "overlapped over sockets", DataParallelTrainer.overlapped(200));
    }
}
