package org.bigmodels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigmodels.engine.Arena;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Batches;
import org.bigmodels.train.PhaseTimer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class LeNetBenchmarkTest {

    @Test
    void flopsPerExampleIsTheHandCount() {
        // forward and weight gradients: 2 FLOPs per weight each; input gradients of layers 2 and 3 only
        double perExample = 2.0 * (784 * 300 + 300 * 100 + 100 * 10) * 2 + 2.0 * (300 * 100 + 100 * 10);
        assertEquals(perExample, LeNetBenchmark.flopsPerExample());
    }

    @Test
    void phaseTimingCountsEveryBatchAndItsThreePhases() {
        MLP m = MLP.of(6, 5, 3);
        var x = Nd4j.rand(DataType.FLOAT, 20, 6);
        var y = Nd4j.createFromArray(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1});
        var batches = Batches.epoch(x, y, 8, 1, 0);
        PhaseTimer t = LeNetBenchmark.engineEpochByPhase(m, new SGD(m.parameters(), 0.1), batches, new Arena());
        assertEquals(batches.size(), t.steps());
        assertEquals(PhaseTimer.TRAINING_PHASES, t.phases());
        for (String p : List.copyOf(t.phases())) assertTrue(t.seconds(p) > 0, p);
    }
}
