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
 * The socket backend in one JVM ({@link SocketCommunicator#localGroup}): real sockets and serialization, without
 * the cost of starting processes. Round trip of special values, all-reduce vs plain sums, the same byte counts as
 * the thread backend, an aborting worker named by its peers, and a rendezvous that times out naming the missing
 * ranks.
 */
@Timeout(60)
class SocketCommunicatorTest {

    static <T> List<T> runSockets(int n, long timeout, WorkerThreads.Task<T> task) {
        List<Communicator> comms = SocketCommunicator.localGroup(n, timeout);
        try {
            return WorkerThreads.run(comms, timeout, task);
        } finally {
            comms.forEach(Communicator::close);
        }
    }

    @Test
    void serializationRoundTripsEveryValueExactly() {
        double[] d = {0.0, -0.0, 1e-310, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, -3.25};
        float[] f = {0f, -0f, 1e-40f, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, 7.5f};
        List<Object[]> got = runSockets(2, 10_000, c -> {
            if (c.rank() == 0) {
                c.send(Nd4j.createFromArray(d), 1);
                c.send(Nd4j.createFromArray(f), 1);
                c.send(Nd4j.create(DataType.FLOAT, 0), 1);
                return null;
            }
            INDArray a = c.recv(0);
            INDArray b = c.recv(0);
            INDArray e = c.recv(0);
            return new Object[] {a.dataType(), a.toDoubleVector(), b.dataType(), b.toFloatVector(), e.length()};
        });
        Object[] r = got.get(1);
        assertEquals(DataType.DOUBLE, r[0]);
        assertArrayEquals(d, (double[]) r[1], 0.0);
        assertEquals(DataType.FLOAT, r[2]);
        assertArrayEquals(f, (float[]) r[3], 0f);
        assertEquals(0L, r[4]);
    }

    /**
     * The send path writes the array's own memory from its offset: a view into the middle of a larger array, a
     * matrix row, and a non-contiguous transposed matrix (copied once, row-major) must arrive as their own elements in
     * row-major order, compared with plain Java arrays.
     */
    @Test
    void viewsAndNonContiguousArraysArriveAsTheirOwnElementsInRowMajorOrder() {
        double[] base = new double[40];
        for (int i = 0; i < base.length; i++) {
            base[i] = i * 1.5 - 7;
        }
        List<double[][]> got = runSockets(2, 10_000, c -> {
            INDArray whole = Nd4j.createFromArray(base);
            INDArray m = whole.reshape('c', 5, 8);
            if (c.rank() == 0) {
                c.send(whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(11, 17)), 1);
                c.send(m.getRow(3), 1);
                c.send(m.transpose(), 1);
                c.send(whole.castTo(DataType.FLOAT).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(33, 34)), 1);
                return null;
            }
            return new double[][] {c.recv(0).toDoubleVector(), c.recv(0).toDoubleVector(), c.recv(0).toDoubleVector(),
                    c.recv(0).toDoubleVector()};
        });
        double[][] r = got.get(1);
        assertArrayEquals(java.util.Arrays.copyOfRange(base, 11, 17), r[0], 0.0, "offset view");
        assertArrayEquals(java.util.Arrays.copyOfRange(base, 24, 32), r[1], 0.0, "matrix row");
        double[] transposed = new double[40];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 5; j++) {
                transposed[i * 5 + j] = base[j * 8 + i];
            }
        }
        assertArrayEquals(transposed, r[2], 0.0, "non-contiguous transpose, row-major");
        assertArrayEquals(new double[] {base[33]}, r[3], 0.0, "one-element FLOAT view");
    }

    /** The byte swap a big-endian machine would do: native → big-endian → native is exact for every bit pattern. */
    @Test
    void theByteOrderConversionRoundTripsEveryValue() {
        float[] f = {0f, -0f, 1e-40f, Float.MAX_VALUE, Float.intBitsToFloat(0x7fc01234), -2.5f};
        java.nio.ByteBuffer a = java.nio.ByteBuffer.allocateDirect(f.length * 4).order(java.nio.ByteOrder.nativeOrder());
        a.asFloatBuffer().put(f);
        java.nio.ByteBuffer big = java.nio.ByteBuffer.allocateDirect(f.length * 4);
        SocketCommunicator.convert(a, java.nio.ByteOrder.nativeOrder(), big, java.nio.ByteOrder.BIG_ENDIAN,
                DataType.FLOAT);
        big.flip();
        assertEquals(Float.floatToRawIntBits(f[3]), big.order(java.nio.ByteOrder.BIG_ENDIAN).getInt(12));
        java.nio.ByteBuffer back = java.nio.ByteBuffer.allocateDirect(f.length * 4);
        SocketCommunicator.convert(big, java.nio.ByteOrder.BIG_ENDIAN, back, java.nio.ByteOrder.nativeOrder(),
                DataType.FLOAT);
        float[] g = new float[f.length];
        back.flip();
        back.order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().get(g);
        for (int i = 0; i < f.length; i++) {
            assertEquals(Float.floatToRawIntBits(f[i]), Float.floatToRawIntBits(g[i]), "element " + i);
        }
    }

    @Test
    void allReduceOverSocketsEqualsThePlainSumWithTheSameByteCounts() {
        for (int n = 1; n <= 4; n++) {
            for (AllReduce algo : AllReduceTest.ALGORITHMS) {
                for (int length : new int[] {0, 2, 13}) {
                    double[][] x = AllReduceTest.inputs(n, length, 5L * n + length);
                    double[] sum = AllReduceTest.plainSum(x);
                    int nn = n;
                    List<Object[]> got = runSockets(n, 10_000, c -> {
                        INDArray a = AllReduceTest.array(x[c.rank()], DataType.DOUBLE);
                        algo.allReduce(c, a);
                        return new Object[] {a.toDoubleVector(), c.totalBytesSent()};
                    });
                    for (int r = 0; r < n; r++) {
                        String what = algo.name() + " N=" + nn + " length " + length + " rank " + r;
                        assertArrayEquals(sum, (double[]) got.get(r)[0], 1e-12, what);
                        long expected = switch (algo.name()) {
                            case "naive" -> NaiveAllReduce.bytesSent(r, nn, length, 8);
                            case "tree" -> TreeAllReduce.bytesSent(r, nn, length, 8);
                            default -> RingAllReduce.bytesSent(r, nn, length, 8);
                        };
                        assertEquals(expected, (long) (Long) got.get(r)[1], what + " bytes");
                    }
                }
            }
        }
    }

    @Test
    void anAbortingWorkerIsNamedByItsPeers() {
        long t0 = System.currentTimeMillis();
        CommunicationException e = assertThrows(CommunicationException.class, () -> runSockets(3, 20_000, c -> {
            if (c.rank() == 1) {
                throw new IllegalStateException("out of memory in rank 1");
            }
            try {
                c.allReduce(Nd4j.ones(DataType.FLOAT, 9));
            } catch (CommunicationException ce) {
                assertTrue(ce.getMessage().contains("rank 1") && ce.getMessage().contains("out of memory"),
                        ce.getMessage());
                throw ce;
            }
            return null;
        }));
        assertTrue(e.getMessage().startsWith("rank 1 failed"), e.getMessage());
        assertTrue(System.currentTimeMillis() - t0 < 10_000, "peers must fail fast");
    }

    @Test
    void aRendezvousWithAMissingRankTimesOutNamingIt() {
        int port = Launcher.freePort();
        CommunicationException e = assertThrows(CommunicationException.class,
                () -> SocketCommunicator.connect(0, 2, port, 300));
        assertTrue(e.getMessage().contains("[1]") && e.getMessage().contains("never connected"), e.getMessage());
        CommunicationException e2 = assertThrows(CommunicationException.class,
                () -> SocketCommunicator.connect(1, 2, port, 300));
        assertTrue(e2.getMessage().contains("rank 0"), e2.getMessage());
    }

    /**
     * A peer whose process is alive but frozen: a raw socket that joins the rendezvous as rank 1 and then never reads.
     * Rank 0's send of 64 MB fills the connection's buffers and must fail naming rank 1 once no byte has been
     * accepted for the time-out, instead of blocking for ever (TCP writes have no time-out of their own).
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a send that ignores interrupts still fails
    void aSendToAFrozenPeerFailsNamingItWithinTheTimeout() throws Exception {
        int port = Launcher.freePort();
        long timeout = 3_000;     // bounds the rendezvous and, under test, a send that makes no progress
        java.util.concurrent.CompletableFuture<Communicator> root = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> SocketCommunicator.connect(0, 2, port, timeout));
        try (java.net.Socket frozen = connectRaw(port)) {
            java.io.DataOutputStream hello = new java.io.DataOutputStream(frozen.getOutputStream());
            hello.writeInt(SocketCommunicator.HELLO_MAGIC);
            hello.writeInt(1);
            hello.writeInt(2);
            hello.writeInt(1);
            hello.flush();
            Communicator c = root.get(20, java.util.concurrent.TimeUnit.SECONDS);
            INDArray big = Nd4j.ones(DataType.FLOAT, 16L << 20);     // 64 MB: far more than the socket buffers hold
            long t0 = System.currentTimeMillis();
            CommunicationException e = assertThrows(CommunicationException.class, () -> c.send(big, 1));
            long took = System.currentTimeMillis() - t0;
            assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("send to rank 1")
                    && e.getMessage().contains("stopped reading"), e.getMessage());
            assertTrue(took >= timeout - 100 && took < timeout + 8_000, "the send should fail about " + timeout
                    + " ms after its last progress, took " + took + " ms");
            CommunicationException again = assertThrows(CommunicationException.class, () -> c.send(big, 1));
            assertTrue(again.getMessage().contains("rank 1 stopped reading"), again.getMessage());
            c.close();
        }
    }

    private static java.net.Socket connectRaw(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                return new java.net.Socket(SocketCommunicator.loopback(), port);
            } catch (java.io.IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
