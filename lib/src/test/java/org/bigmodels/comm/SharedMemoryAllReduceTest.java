package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The shared-memory all-reduce against the plain double loop sum (N = 1..8, lengths shorter than N, odd, not
 * divisible by N), bit-identical results on every rank, many calls back to back with changing data (a missing
 * barrier shows up as a wrong sum there), and its errors: another communicator, mismatched arrays, a failed peer.
 */
@Timeout(120)
class SharedMemoryAllReduceTest {
    static final AllReduce SHM = new SharedMemoryAllReduce();

    @Test
    void equalsThePlainSumForOneToEightWorkersAndEveryRankGetsTheSameBits() {
        for (int n = 1; n <= 8; n++) {
            for (int length : AllReduceTest.LENGTHS) {
                for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                    double[][] x = AllReduceTest.inputs(n, length, 17L * n + length);
                    double[] expected = AllReduceTest.plainSum(x);
                    List<double[]> got = ThreadCommunicator.run(n, 20_000, comm -> {
                        INDArray a = AllReduceTest.array(x[comm.rank()], type);
                        SHM.allReduce(comm, a);
                        assertEquals(0, comm.messagesSent((comm.rank() + 1) % comm.worldSize()),
                                "shared memory sends no message");
                        return a.castTo(DataType.DOUBLE).toDoubleVector();
                    });
                    double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
                    for (int r = 0; r < n; r++) {
                        String what = "N=" + n + " length=" + length + " " + type + " rank " + r;
                        assertArrayEquals(expected, got.get(r), tol, what);
                        assertArrayEquals(got.get(0), got.get(r), 0.0, what + ": ranks must agree bit for bit");
                    }
                }
            }
        }
    }

    @Test
    void manyCallsBackToBackStaySumsAsTheDataChanges() {
        int n = 3;
        int length = 1000;
        int calls = 300;
        ThreadCommunicator.run(n, 60_000, comm -> {
            INDArray a = Nd4j.create(DataType.DOUBLE, length);
            for (int c = 0; c < calls; c++) {
                // rank r holds (r + 1) * (c + 1) + i: the sum is N(N+1)/2 (c + 1) + N i, exact in double
                for (int i = 0; i < length; i++) a.putScalar(i, (comm.rank() + 1.0) * (c + 1) + i);
                SHM.allReduce(comm, a);
                for (int i = 0; i < length; i += 97) {
                    double want = n * (n + 1) / 2.0 * (c + 1) + (double) n * i;
                    assertEquals(want, a.getDouble(i), 0.0, "call " + c + " element " + i + " on rank "
                            + comm.rank() + ": a rank read or wrote a peer's array outside its phase");
                }
            }
            return null;
        });
    }

    @Test
    void anotherCommunicatorIsRefusedWithAClearError() {
        List<Communicator> g = ThreadCommunicator.group(1);
        Communicator rec = RecordingCommunicator.wrap(g).get(0);
        var e = assertThrows(IllegalArgumentException.class, () -> SHM.allReduce(rec, Nd4j.ones(3)));
        assertTrue(e.getMessage().contains("ThreadCommunicator") && e.getMessage().contains("RingAllReduce"),
                e.getMessage());
    }

    @Test
    void mismatchedLengthsFailOnEveryRankNamingThem() {
        var e = assertThrows(CommunicationException.class, () -> ThreadCommunicator.run(2, 10_000, comm -> {
            SHM.allReduce(comm, Nd4j.ones(DataType.FLOAT, comm.rank() == 0 ? 4 : 5));
            return null;
        }));
        assertTrue(e.getMessage().contains("same length"), e.getMessage());
    }

    @Test
    void aFailedPeerEndsTheWaitLongBeforeTheTimeOut() {
        long start = System.nanoTime();
        var e = assertThrows(CommunicationException.class, () -> ThreadCommunicator.run(2, 30_000, comm -> {
            if (comm.rank() == 1) throw new IllegalStateException("boom");
            SHM.allReduce(comm, Nd4j.ones(DataType.FLOAT, 8));
            return null;
        }));
        double seconds = (System.nanoTime() - start) * 1e-9;
        assertTrue(e.getMessage().contains("rank 1") && e.getMessage().contains("boom"), e.getMessage());
        assertTrue(seconds < 10, "the waiting rank must notice the failure within a slice, took " + seconds + " s");
    }

    @Test
    void shareWithGroupCalledBackToBackNeverShowsAStaleOrNewerArray() {
        int n = 4;
        int calls = 3000;
        ThreadCommunicator.run(n, 60_000, comm -> {
            ThreadCommunicator t = (ThreadCommunicator) comm;
            for (int c = 0; c < calls; c++) {
                List<INDArray> all = t.shareWithGroup(Nd4j.scalar(1000.0 * c + comm.rank()));
                for (int r = 0; r < n; r++) {
                    assertEquals(1000.0 * c + r, all.get(r).getDouble(0), 0.0, "call " + c + " on rank "
                            + comm.rank() + " read rank " + r + "'s array of another call: a fast rank overwrote it");
                }
            }
            return null;
        });
    }

    @Test
    void aBarrierThatTimesOutAbortsTheGroupSoNoRankPassesALaterOneAlone() {
        List<Communicator> g = ThreadCommunicator.group(2, 300);
        ThreadCommunicator r0 = (ThreadCommunicator) g.get(0);
        ThreadCommunicator r1 = (ThreadCommunicator) g.get(1);
        var e = assertThrows(CommunicationException.class, r0::sharedBarrier);
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        // rank 0's arrival was counted: without the abort, rank 1 would now pass this barrier alone
        var late = assertThrows(CommunicationException.class, r1::sharedBarrier);
        assertTrue(late.getMessage().contains("rank 0"), late.getMessage());
    }

    @Test
    void aPassedBarrierIsNotReportedAsFailedWhenTheLastRankClosesRightAway() throws Exception {
        for (int trial = 0; trial < 200; trial++) {
            List<Communicator> g = ThreadCommunicator.group(2, 10_000);
            var waiter = new java.util.concurrent.CompletableFuture<Throwable>();
            Thread w = new Thread(() -> {
                try {
                    ((ThreadCommunicator) g.get(0)).sharedBarrier();
                    waiter.complete(null);
                } catch (Throwable t) {
                    waiter.complete(t);
                }
            });
            w.start();
            // arrive close to the waiter's first check of its peers (one slice in), at a slightly different moment
            // in every trial: the window where it would see this rank closed before seeing the barrier passed
            long until = System.nanoTime() + ThreadCommunicator.SLICE_MILLIS * 1_000_000L - 150_000 + trial * 1_500L;
            while (System.nanoTime() < until) Thread.onSpinWait();
            ((ThreadCommunicator) g.get(1)).sharedBarrier();
            g.get(1).close();
            Throwable got = waiter.get(10, java.util.concurrent.TimeUnit.SECONDS);
            if (got != null) {
                throw new AssertionError("trial " + trial + ": the barrier was passed, yet the waiter failed: " + got);
            }
        }
    }

    @Test
    void theBucketedStrategyRefusesAWrappedCommunicatorAtConstruction() {
        List<RecordingCommunicator> wrapped = RecordingCommunicator.wrap(ThreadCommunicator.group(1));
        var e = assertThrows(IllegalArgumentException.class, () -> new org.bigmodels.dataparallel.DataParallelBucketed(
                wrapped.get(0), org.bigmodels.nn.MLP.of(3, 2), 1 << 10, SHM));
        assertTrue(e.getMessage().contains("wrapper") && e.getMessage().contains("RecordingCommunicator"),
                e.getMessage());
    }
}
