package org.bigmodels.dataparallel;

import static org.bigmodels.dataparallel.DataParallelEquivalenceTest.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.bigmodels.comm.CommunicationException;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.paramserver.FaultPlan;
import org.bigmodels.paramserver.InjectedFaultException;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Injected faults in the synchronous data-parallel trainer on the thread backend, checked by accounting against the
 * single-worker reference ({@link DataParallelEquivalenceTest#reference}): a failed rank stops the run with an error
 * naming it, within the time-out, and no replica applies the abandoned step; a straggler only delays the run, whose
 * result stays exactly the fault-free one. {@link SocketDataParallelFaultTest} runs the same checks over sockets.
 */
@Timeout(30)
class DataParallelFaultTest {
    static final int FAIL_STEP = 2, STEPS = 5, STRAGGLE_MILLIS = 300;
    static final long FAULT_TIMEOUT = 10_000;

    /** Runs a DataParallelTrainer on some backend: W ranks, a step budget, a shard source. */
    @FunctionalInterface
    interface Backend {
        List<DataParallelTrainer.Replica<MLP>> run(DataParallelTrainer<MLP> dp, int w, int steps);
    }

    static final Backend THREADS = (dp, w, steps) -> dp.fitSteps(w, FAULT_TIMEOUT, steps, contiguous(PER_WORKER));

    static DataParallelTrainer<MLP> trainer(DataParallelTrainer.Strategy strategy) {
        return new DataParallelTrainer<>(r -> model(7 + 13 * r), m -> new SGD(m.parameters(), 0.2, 0.9, 0),
                DataParallelEquivalenceTest::loss, CONFIG, strategy);
    }

    /**
     * Rank {@code failing} of {@code w} fails at the start of step {@link #FAIL_STEP}. Expected: a
     * CommunicationException naming that rank with the InjectedFaultException as its cause, well within the time-out;
     * every replica's step count is the number of steps it applied and its weights are the reference's after exactly
     * that many steps (no partial or extra update). The failing rank applied exactly FAIL_STEP steps; with w = 2 the
     * survivor too (it can only abandon step FAIL_STEP); with w > 2 a survivor may also abandon the step before.
     */
    static void checkFailure(Backend backend, String name, DataParallelTrainer.Strategy strategy, int w, int failing) {
        AtomicReferenceArray<Trainer> trainers = new AtomicReferenceArray<>(w);
        var dp = trainer(strategy).withFaults(FaultPlan.none().failAt(failing, FAIL_STEP))
                .onTrainerStart(trainers::set);
        long start = System.nanoTime();
        var e = assertThrows(CommunicationException.class, () -> backend.run(dp, w, STEPS),
                name + ": an injected failure must stop the run");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(e.getMessage().contains("rank " + failing + " failed"), name + ": " + e.getMessage());
        assertInstanceOf(InjectedFaultException.class, e.getCause(), name + ": the cause is the injected fault");
        assertEquals(FAIL_STEP, ((InjectedFaultException) e.getCause()).step());
        assertTrue(seconds < FAULT_TIMEOUT / 2e3, name + ": the peers must fail fast, not wait for the time-out; took "
                + seconds + " s");
        MLP[] refs = new MLP[FAIL_STEP + 1];
        for (int r = 0; r < w; r++) {
            Trainer t = trainers.get(r);
            assertNotNull(t, name + ": rank " + r + " never started");
            int applied = t.step();
            int lowest = r == failing || w == 2 ? FAIL_STEP : FAIL_STEP - 1;
            assertTrue(applied >= lowest && applied <= FAIL_STEP, name + ": rank " + r + " applied " + applied
                    + " steps; expected " + (lowest == FAIL_STEP ? "" : lowest + " or ") + FAIL_STEP
                    + " (step " + FAIL_STEP + " was abandoned by the failure of rank " + failing + ")");
            if (refs[applied] == null) refs[applied] = reference(w, PER_WORKER, applied);
            assertSameWeights(refs[applied], (MLP) t.model(), 1e-12, name + ", rank " + r + " after " + applied
                    + " steps (a step applied by part of the group, or half-applied, would differ)");
        }
    }

    /**
     * Rank 1 of 2 sleeps {@link #STRAGGLE_MILLIS} ms at the start of step 2. Expected: the run completes and equals the
     * reference exactly (synchronous: the straggler's gradient is waited for, never dropped), and rank 0 visibly
     * waited: its all-reduce time in step 2 is at least most of the sleep (a lower bound, not a speed claim).
     */
    static void checkStraggler(Backend backend, String name, DataParallelTrainer.Strategy strategy) {
        var dp = trainer(strategy).withFaults(FaultPlan.none().straggleAt(1, 2, STRAGGLE_MILLIS));
        var replicas = backend.run(dp, 2, STEPS);
        MLP ref = reference(2, PER_WORKER, STEPS);
        for (var r : replicas) {
            assertEquals(STEPS, r.trainer().step(), name + ", rank " + r.rank());
            assertSameWeights(ref, r.model(), 1e-12, name + ", rank " + r.rank() + " with a straggler");
        }
        double waitedMillis = replicas.get(0).events().stream()
                .filter(ev -> ev.step() == 2 && !ev.lane().equals(WorkerEvent.COMPUTE))
                .mapToLong(ev -> ev.endNanos() - ev.startNanos()).sum() / 1e6;
        assertTrue(waitedMillis >= 0.8 * STRAGGLE_MILLIS, name + ": rank 0 should have waited for the straggler in "
                + "step 2's all-reduce; it spent " + waitedMillis + " ms communicating");
    }

    @Test
    void aFailedRankStopsTheRunAndNoReplicaAppliesTheAbandonedStep() {
        checkFailure(THREADS, "naive", DataParallelTrainer.naive(), 2, 1);
        checkFailure(THREADS, "overlapped", DataParallelTrainer.overlapped(200), 2, 0);
        checkFailure(THREADS, "bucketed, W=3", DataParallelTrainer.bucketed(200), 3, 1);
    }

    @Test
    void aStragglerDelaysTheRunButTheResultIsExactlyTheReference() {
        checkStraggler(THREADS, "naive", DataParallelTrainer.naive());
        checkStraggler(THREADS, "overlapped", DataParallelTrainer.overlapped(200));
    }

    @Test
    void aNullPlanIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> trainer(DataParallelTrainer.naive()).withFaults(null));
        assertTrue(e.getMessage().contains("FaultPlan.none()"), e.getMessage());
    }
}
