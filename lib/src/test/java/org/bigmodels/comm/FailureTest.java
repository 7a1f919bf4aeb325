package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Failures on the thread backend end every wait quickly with an error naming the rank responsible: a worker that
 * throws, a worker that closes early, a worker too slow for the receive time-out, a run over its time-out; and bad
 * input is rejected with a message saying what was expected.
 */
@Timeout(30)
class FailureTest {

    @Test
    void aWorkerThatThrowsMakesThePeersFailNamingIt() {
        int n = 4;
        long timeout = 20_000;
        List<Communicator> comms = ThreadCommunicator.group(n, timeout);
        AtomicReferenceArray<String> peerErrors = new AtomicReferenceArray<>(n);
        long t0 = System.currentTimeMillis();
        CommunicationException e = assertThrows(CommunicationException.class, () -> WorkerThreads.run(comms, timeout,
                c -> {
                    if (c.rank() == 2) {
                        throw new IllegalStateException("boom in rank 2's forward pass");
                    }
                    try {
                        c.allReduce(Nd4j.ones(DataType.FLOAT, 10));
                    } catch (CommunicationException ce) {
                        peerErrors.set(c.rank(), ce.getMessage());
                        throw ce;
                    }
                    return null;
                }));
        long elapsed = System.currentTimeMillis() - t0;
        assertTrue(e.getMessage().startsWith("rank 2 failed"), e.getMessage());
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
        for (int r = 0; r < n; r++) {
            if (r != 2) {
                String m = peerErrors.get(r);
                assertTrue(m != null && m.contains("rank 2") && m.contains("boom"),
                        "rank " + r + " should fail naming rank 2 and its error, got: " + m);
            }
        }
        assertTrue(elapsed < timeout / 2, "peers must fail fast, not wait for the time-out: " + elapsed + " ms");
    }

    @Test
    void aWorkerThatClosesEarlyIsNamedAsClosed() {
        CommunicationException e = assertThrows(CommunicationException.class, () -> ThreadCommunicator.run(2, 20_000,
                c -> {
                    if (c.rank() == 1) {
                        c.close();
                        return null;
                    }
                    return c.recv(1);
                }));
        assertTrue(e.getMessage().contains("rank 1 closed"), e.getMessage());
    }

    @Test
    void queuedMessagesAreStillDeliveredAfterTheSenderCloses() {
        List<Double> got = ThreadCommunicator.run(2, 20_000, c -> {
            if (c.rank() == 1) {
                c.send(Nd4j.createFromArray(4.5), 0);
                c.close();
                return 0.0;
            }
            Thread.sleep(50);
            return c.recv(1).getDouble(0);
        });
        assertEquals(4.5, got.get(0), 0.0);
    }

    @Test
    void aSlowPeerMakesTheReceiveTimeOutNamingIt() {
        List<Communicator> comms = ThreadCommunicator.group(2, 200);
        CommunicationException e = assertThrows(CommunicationException.class, () -> WorkerThreads.run(comms, 10_000,
                c -> {
                    if (c.rank() == 1) {
                        Thread.sleep(1_000);
                        return null;
                    }
                    return c.recv(1);
                }));
        assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("timed out")
                && e.getMessage().contains("rank 1"), e.getMessage());
    }

    @Test
    void aRunOverItsTimeOutIsStoppedNamingTheRunningRanks() {
        long t0 = System.currentTimeMillis();
        CommunicationException e = assertThrows(CommunicationException.class, () -> WorkerThreads.run(
                ThreadCommunicator.group(3, 60_000), 300, c -> {
                    if (c.rank() == 1) {
                        Thread.sleep(60_000);
                    }
                    return c.rank();
                }));
        assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("[1]"), e.getMessage());
        assertTrue(System.currentTimeMillis() - t0 < 10_000, "the run must stop soon after its time-out");
    }

    @Test
    void badInputGetsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ThreadCommunicator.group(0)).getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Launcher.run(0, FailureTest.class)).getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SocketCommunicator.connect(2, 2, 5000, 100))
                .getMessage().contains("out of range"));
        List<Communicator> g = ThreadCommunicator.group(3, 1_000);
        INDArray x = Nd4j.ones(DataType.FLOAT, 4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.get(0).send(x, 3)).getMessage()
                .contains("out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.get(0).recv(-1)).getMessage()
                .contains("out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.get(1).send(x, 1)).getMessage()
                .contains("itself"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.get(0).broadcast(x, 7)).getMessage()
                .contains("root rank 7"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.get(0).send(Nd4j.ones(DataType.INT, 3), 1))
                .getMessage().contains("FLOAT or DOUBLE"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> g.get(0).allReduce(Nd4j.ones(DataType.FLOAT, 4, 6).transpose())).getMessage()
                .contains("contiguous"));
        g.forEach(Communicator::close);
        assertThrows(CommunicationException.class, () -> g.get(0).send(x, 1));
    }

    @Test
    void mismatchedLengthsAcrossRanksAreReportedNotSummed() {
        for (AllReduce algo : AllReduceTest.ALGORITHMS) {
            CommunicationException e = assertThrows(CommunicationException.class, () -> ThreadCommunicator.run(3,
                    10_000, c -> {
                        algo.allReduce(c, Nd4j.ones(DataType.FLOAT, c.rank() == 1 ? 7 : 6));
                        return null;
                    }));
            assertTrue(e.getMessage().contains("same length and type"), algo.name() + ": " + e.getMessage());
        }
    }

    @Test
    void mismatchedTypesAcrossRanksAreReported() {
        for (AllReduce algo : AllReduceTest.ALGORITHMS) {
            CommunicationException e = assertThrows(CommunicationException.class, () -> ThreadCommunicator.run(3,
                    10_000, c -> {
                        algo.allReduce(c, Nd4j.ones(c.rank() == 2 ? DataType.DOUBLE : DataType.FLOAT, 6));
                        return null;
                    }));
            assertTrue(e.getMessage().contains("DOUBLE") && e.getMessage().contains("FLOAT"),
                    algo.name() + ": " + e.getMessage());
        }
    }
}
