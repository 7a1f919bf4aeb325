package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The recorded messages against independent expectations: the ring's neighbour pattern written out by hand, the step
 * counts of the one-port model (2(N−1), 2⌈log2 N⌉) and the wrapped communicators' own byte counters.
 */
class RecordingCommunicatorTest {

    static RecordingCommunicator.Recording run(int n, int length, AllReduce algo) {
        List<Communicator> group = ThreadCommunicator.group(n, 10_000);
        List<RecordingCommunicator> rec = RecordingCommunicator.wrap(group);
        List<long[]> counted = WorkerThreads.run(rec, 10_000, c -> {
            INDArray x = Nd4j.valueArrayOf(new long[] {length}, (double) (c.rank() + 1), DataType.DOUBLE);
            algo.allReduce(c, x);
            for (int i = 0; i < length; i++) {
                assertEquals(n * (n + 1) / 2.0, x.getDouble(i), 0.0, "the wrapped all-reduce still sums");
            }
            long[] b = new long[1];
            b[0] = c.totalBytesSent();
            return b;
        });
        group.forEach(Communicator::close);
        long[] byRank = rec.get(0).recording().bytesSentByRank();
        for (int r = 0; r < n; r++) {
            assertEquals(counted.get(r)[0], byRank[r], "recorded bytes of rank " + r + " == the communicator's count");
        }
        return rec.get(0).recording();
    }

    @Test
    void ringMessagesGoToTheRightNeighbourOneStepEach() {
        int n = 4;
        RecordingCommunicator.Recording rec = run(n, 8, new RingAllReduce());
        List<RecordingCommunicator.Message> ms = rec.messages();
        assertEquals(2 * (n - 1) * n, ms.size());
        assertEquals(2 * (n - 1), rec.steps());
        for (int s = 0; s < 2 * (n - 1); s++) {
            for (int r = 0; r < n; r++) {
                int src = r;
                int step = s;
                assertEquals(1, ms.stream().filter(m -> m.step() == step && m.src() == src
                        && m.dst() == (src + 1) % n && m.bytes() == 2 * 8).count(), "step " + s + " rank " + r);
            }
        }
    }

    @Test
    void stepsMatchTheLatencyTermsOfTheCostModel() {
        for (int n = 1; n <= 6; n++) {
            assertEquals(2 * (n - 1), run(n, 7, new NaiveAllReduce()).steps(), "naive, N=" + n);
            assertEquals(2 * CostModel.ceilLog2(n), run(n, 7, new TreeAllReduce()).steps(), "tree, N=" + n);
            assertEquals(2 * (n - 1), run(n, 7, new RingAllReduce()).steps(), "ring, N=" + n);
        }
    }

    @Test
    void naiveRootSendsEverythingInTheBroadcastSteps() {
        int n = 3;
        RecordingCommunicator.Recording rec = run(n, 5, new NaiveAllReduce());
        List<RecordingCommunicator.Message> ms = rec.messages();
        // reduce: rank 1 then rank 2 to rank 0 (one receive per step); broadcast: rank 0 to 1 then to 2
        assertEquals(List.of(new RecordingCommunicator.Message(1, 0, 5, 40, 0),
                new RecordingCommunicator.Message(2, 0, 5, 40, 1),
                new RecordingCommunicator.Message(0, 1, 5, 40, 2),
                new RecordingCommunicator.Message(0, 2, 5, 40, 3)), ms);
    }

    @Test
    void clearResetsAndBadGroupsAreRefused() {
        RecordingCommunicator.Recording rec = run(2, 4, new RingAllReduce());
        assertTrue(rec.steps() > 0);
        rec.clear();
        assertEquals(0, rec.steps());
        assertThrows(IllegalArgumentException.class, () -> RecordingCommunicator.wrap(List.of()));
        List<Communicator> g = ThreadCommunicator.group(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecordingCommunicator.wrap(List.of(g.get(1), g.get(0))));
        assertTrue(e.getMessage().contains("rank order"), e.getMessage());
        g.forEach(Communicator::close);
    }
}
