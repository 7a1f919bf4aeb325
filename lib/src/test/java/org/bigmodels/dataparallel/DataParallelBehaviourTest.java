package org.bigmodels.dataparallel;

import static org.bigmodels.dataparallel.DataParallelEquivalenceTest.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.bigmodels.comm.CommunicationException;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.LrSchedule;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Buckets, overlap, events, failures and bad input of the data-parallel strategies (thread backend, bounded waits). */
@Timeout(60)
class DataParallelBehaviourTest {

    static Communicator single() {
        return ThreadCommunicator.group(1, 5_000).get(0);
    }

    @Test
    void bucketsAreFilledInReverseRegistrationOrderUpToTheirCapacity() {
        // MLP 5-7-6-3 in double: 0.weight 280 B, 0.bias 56, 2.weight 336, 2.bias 48, 4.weight 144, 4.bias 24
        MLP m = model(7);
        try (var b = new DataParallelBucketed(single(), m, 200)) {
            assertEquals(List.of(List.of(5, 4), List.of(3), List.of(2), List.of(1), List.of(0)), b.bucketLayout(),
                    "reverse order, closed before exceeding 200 B, a 336 B parameter alone");
            assertArrayEquals(new long[] {168, 48, 336, 56, 280}, b.bucketSizes());
        }
        try (var b = new DataParallelBucketed(single(), m, 1 << 20)) {
            assertEquals(List.of(List.of(5, 4, 3, 2, 1, 0)), b.bucketLayout());
        }
    }

    @Test
    void overlappedLaunchesBucketsDuringBackward() {
        List<Integer> launchedWhenReady = new ArrayList<>();
        List<WorkerEvent> events = ThreadCommunicator.run(2, TIMEOUT, comm -> {
            MLP m = model(7);
            DataParallelOverlapped[] holder = new DataParallelOverlapped[1];
            if (comm.rank() == 0) {
                // hooks added before the strategy's run before it: they see what was launched so far
                for (Tensor p : m.parameters()) p.onGradReady(t -> launchedWhenReady.add(holder[0].bucketsLaunched()));
            }
            try (var ddp = new DataParallelOverlapped(comm, m, 200)) {
                holder[0] = ddp;
                new Trainer(m, new SGD(m.parameters(), 0.1), CONFIG, ddp)
                        .fitSteps(2, contiguous(3).forRank(comm.rank(), 2), b -> loss(m, b), null);
                return ddp.events();
            }
        }).get(0);
        assertEquals(12, launchedWhenReady.size(), "6 parameters, 2 steps");
        int lastOfFirstStep = launchedWhenReady.get(5);
        assertTrue(lastOfFirstStep >= 3, "when the last gradient became final, the buckets of the later layers "
                + "(0, 1, 2) must already be on their way; launched: " + launchedWhenReady);
        long comms = events.stream().filter(e -> e.lane().equals(WorkerEvent.COMMUNICATION)).count();
        long computes = events.stream().filter(e -> e.lane().equals(WorkerEvent.COMPUTE)).count();
        long waits = events.stream().filter(e -> e.lane().equals(WorkerEvent.WAIT)).count();
        assertEquals(10, comms, "5 buckets x 2 steps");
        assertEquals(2, computes);
        assertEquals(2, waits);
        long origin = events.stream().mapToLong(WorkerEvent::startNanos).min().orElseThrow();
        events.forEach(e -> {
            assertTrue(e.endNanos() >= e.startNanos());
            assertTrue(e.toBar(origin).lane().startsWith("rank 0 "));
        });
    }

    @Test
    void aFailingWorkerStopsTheRunWithItsRankInsteadOfAHang() {
        for (var strategy : List.of(DataParallelTrainer.naive(), DataParallelTrainer.overlapped(200))) {
            var rank1Calls = new java.util.concurrent.atomic.AtomicInteger();
            var dp = new DataParallelTrainer<>(r -> model(7), m -> new SGD(m.parameters(), 0.1), (MLP m, org.bigmodels.train.Batch b) -> {
                // worker threads are named "worker-rank-r": rank 1 breaks in its second step
                if (Thread.currentThread().getName().endsWith("rank-1") && rank1Calls.incrementAndGet() == 2) {
                    throw new IllegalStateException("worker 1 broke");
                }
                return loss(m, b);
            }, CONFIG, strategy);
            long start = System.nanoTime();
            var e = assertThrows(CommunicationException.class, () -> dp.fitSteps(3, 5_000, 3, contiguous(3)));
            assertTrue(e.getMessage().contains("rank 1") && e.getMessage().contains("worker 1 broke"), e.getMessage());
            assertTrue((System.nanoTime() - start) / 1e9 < 30, "bounded by the time-outs");
        }
    }

    @Test
    void aSecondBackwardAfterABucketWasSentIsAnError() {
        MLP m = model(7);
        try (var ddp = new DataParallelOverlapped(single(), m, 200)) {
            ddp.beforeStep(0);
            loss(m, rows(0, 3)).backward();
            var e = assertThrows(IllegalStateException.class, () -> loss(m, rows(3, 6)).backward());
            assertTrue(e.getMessage().contains("noSync"), e.getMessage());
        }
        MLP m2 = model(7);
        try (var ddp = new DataParallelOverlapped(single(), m2, 200)) {
            ddp.beforeStep(0);
            try (var off = ddp.noSync()) {
                assertFalse(ddp.isSyncEnabled());
                loss(m2, rows(0, 3)).backward(); // accumulating: allowed
            }
            assertTrue(ddp.isSyncEnabled());
            loss(m2, rows(3, 6)).backward();
            ddp.synchronize(m2.parameters());
        }
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        MLP m = model(7);
        for (long bytes : new long[] {0, -5}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new DataParallelBucketed(single(), m, bytes));
            assertTrue(e.getMessage().contains("bucket size > 0 bytes, got " + bytes), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new DataParallelOverlapped(single(), m, bytes));
        }
        assertThrows(IllegalArgumentException.class, () -> new DataParallelOverlapped(single(), m, 100, 0));
        var dp = new DataParallelTrainer<>(r -> model(7), mm -> new SGD(mm.parameters(), 0.1),
                DataParallelEquivalenceTest::loss, CONFIG, DataParallelTrainer.naive());
        var e = assertThrows(IllegalArgumentException.class, () -> dp.fitSteps(0, 5_000, 1, contiguous(3)));
        assertTrue(e.getMessage().contains("world size of at least 1, got 0"), e.getMessage());
        var tiny = DataParallelTrainer.ShardSource.sampled(X.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), Y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)),
                1, 1);
        var c = assertThrows(CommunicationException.class, () -> dp.fitSteps(5, 5_000, 1, tiny));
        assertTrue(c.getCause().getMessage().contains("more workers (5) than examples (4)"), c.getMessage());
        // an optimizer on another model's parameters
        MLP other = model(8);
        try (var ddp = new DataParallelNaive(single(), m)) {
            var x = assertThrows(IllegalArgumentException.class, () -> ddp.synchronize(other.parameters()));
            assertTrue(x.getMessage().contains("build the optimizer on the same model"), x.getMessage());
        }
    }

    @Test
    void linearScalingRuleWarmsUpFromTheReferenceRateToKTimesIt() {
        LrSchedule s = LinearScalingRule.warmup(0.1, 256, 1024, 10); // k = 4
        assertEquals(0.1, s.at(0), 1e-15);
        assertEquals(0.1 * (1 + 3 * 0.5), s.at(5), 1e-15);
        assertEquals(0.4, s.at(10), 1e-15);
        assertEquals(0.4, s.at(1000), 1e-15);
        assertEquals(0.4, LinearScalingRule.warmup(0.1, 256, 1024, 0).at(0), 1e-15, "no warmup: scaled at once");
        LrSchedule decayed = LinearScalingRule.scaled(LrSchedule.step(0.1, 100, 0.1), 32, 64, 10);
        assertEquals(0.2 * 0.1, decayed.at(150), 1e-15, "after warmup: k times the reference schedule");
        assertEquals(2.5, LinearScalingRule.factor(32, 80), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> LinearScalingRule.factor(0, 64));
        assertThrows(IllegalArgumentException.class, () -> LinearScalingRule.warmup(0.1, 32, 64, -1));
    }
}
