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
}
