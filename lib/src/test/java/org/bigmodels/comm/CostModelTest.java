package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The α–β closed forms against what the algorithms actually send (counted on the thread backend), the message counts
 * on the critical path, the least-squares fit against known parameters, and sanity for N up to 1024.
 */
@Timeout(30)
class CostModelTest {

    @Test
    void closedFormBytesEqualCountedBytesWhenNDividesTheLength() {
        for (int n = 1; n <= 8; n++) {
            int length = 24 * 35;                       // divisible by 1..8
            double s = length * 4.0;
            List<long[]> counts = ThreadCommunicator.run(n, 20_000, c -> {
                long[] out = new long[6];
                int k = 0;
                for (AllReduce algo : AllReduceTest.ALGORITHMS) {
                    c.resetStats();
                    algo.allReduce(c, Nd4j.ones(DataType.FLOAT, length));
                    long msgs = 0;
                    for (int p = 0; p < c.worldSize(); p++) {
                        if (p != c.rank()) {
                            msgs += c.messagesSent(p);
                        }
                    }
                    out[k++] = c.totalBytesSent();
                    out[k++] = msgs;
                }
                return out;
            });
            long naiveMax = 0;
            long treeMax = 0;
            for (int r = 0; r < n; r++) {
                naiveMax = Math.max(naiveMax, counts.get(r)[0]);
                treeMax = Math.max(treeMax, counts.get(r)[2]);
                assertEquals(CostModel.ringBytes(n, s), counts.get(r)[4], 1e-9, "ring bytes, N=" + n + " rank " + r);
                assertEquals(2L * (n - 1), counts.get(r)[5], "ring messages, N=" + n + " rank " + r);
            }
            assertEquals(CostModel.naiveBytes(n, s), naiveMax, 1e-9, "naive bytes of rank 0, N=" + n);
            assertEquals(CostModel.treeBytes(n, s), treeMax, 1e-9, "tree bytes of the busiest rank, N=" + n);
            assertEquals(n - 1L, counts.get(0)[1], "naive: rank 0 sends N-1 messages (the broadcast)");
        }
    }

    @Test
    void ceilLog2AndTimesFollowTheirDefinitions() {
        for (int n = 1; n <= 1024; n++) {
            int k = 0;
            while ((1 << k) < n) {
                k++;
            }
            assertEquals(k, CostModel.ceilLog2(n), "ceil(log2 " + n + ")");
            CostModel m = CostModel.ETHERNET_25G;
            double s = 1e8;
            assertEquals(2.0 * (n - 1) * (m.alpha() + s / n * m.beta()), m.ringTime(n, s), 1e-12);
            assertEquals(2.0 * k * (m.alpha() + s * m.beta()), m.treeTime(n, s), 1e-12);
            assertEquals(2.0 * (n - 1) * (m.alpha() + s * m.beta()), m.naiveTime(n, s), 1e-12);
        }
        // large messages: ring is bandwidth-optimal, tiny ones: the tree's log N latency wins
        CostModel m = CostModel.ETHERNET_25G;
        assertTrue(m.ringTime(1024, 1e9) < m.treeTime(1024, 1e9));
        assertTrue(m.treeTime(1024, 8) < m.ringTime(1024, 8));
    }

    @Test
    void fitRecoversKnownAlphaAndBeta() {
        double[] bytes = {1, 1e3, 1e5, 1e6, 4e6};
        double[] secs = new double[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            secs[i] = 3e-6 + bytes[i] * 2e-10;
        }
        CostModel f = CostModel.fit("synthetic", bytes, secs, "exact line");
        assertEquals(3e-6, f.alpha(), 1e-12);
        assertEquals(2e-10, f.beta(), 1e-18);
        assertThrows(IllegalArgumentException.class, () -> CostModel.fit("x", new double[] {1, 1}, new double[] {1, 2}, ""));
        assertThrows(IllegalArgumentException.class, () -> new CostModel("x", -1, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> CostModel.ETHERNET_25G.ringTime(0, 1));
    }

    @Test
    void theLoopbackProbeGivesAPositiveFiniteModel() {
        double t = LoopbackProbe.pingPong(1 << 16, 5);
        assertTrue(t > 0 && t < 5, "one 64 KB loopback message took " + t + " s");
    }
}
