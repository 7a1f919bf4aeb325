package org.bigmodels.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Random;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.Batch;
import org.bigmodels.train.TrainConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ZeRO stages 1, 2, 3 against plain data parallelism (the library's naive all-reduce strategy with
 * {@link Adam#adamW}): the same W, the same shards, several AdamW steps with weight decay; every rank's weights must
 * equal the reference's (DOUBLE; only the order of the gradient sums differs: reduce-scatter vs ring all-reduce).
 * The GPT has 891 parameters (odd, not a multiple of 2, 3 or 4) in tensors of 5 to 165 elements.
 */
class ZeroEquivalenceTest {
    static final GPTConfig CFG = new GPTConfig(11, 6, 2, 1, 5, 0.0, DataType.DOUBLE, 7);
    static final int STEPS = 4, PER_WORKER = 2;
    static final double LR = 0.05, WD = 0.1;
    static final long TIMEOUT = 60_000;
    static final TrainConfig CONFIG = TrainConfig.defaults().withProgress(false).withSeed(3);

    static Batch batch(int step, int rank) {
        Random rng = new Random(1000L * step + rank);
        INDArray ids = Nd4j.create(DataType.INT, PER_WORKER, CFG.blockSize());
        INDArray targets = Nd4j.create(DataType.INT, PER_WORKER, CFG.blockSize());
        for (int b = 0; b < PER_WORKER; b++) {
            for (int t = 0; t < CFG.blockSize(); t++) {
                ids.putScalar(b, t, rng.nextInt(CFG.vocabSize()));
                targets.putScalar(b, t, rng.nextInt(CFG.vocabSize()));
            }
        }
        return new Batch(ids, targets);
    }

    static final DataParallelTrainer.ShardSource SOURCE = (rank, w) -> step -> batch(step, rank);

    static List<INDArray> plainDataParallel(int workers) {
        var trainer = new DataParallelTrainer<GPT>(r -> new GPT(CFG.withSeed(7 + r)),
                m -> Adam.adamW(m.parameters(), LR, 0.9, 0.999, 1e-8, WD), (m, b) -> m.loss(b.x(), b.y()), CONFIG,
                DataParallelTrainer.naive());
        return trainer.fitSteps(workers, TIMEOUT, STEPS, SOURCE).get(0).model().parameters().stream()
                .map(p -> p.value().dup()).toList();
    }

    static List<List<INDArray>> zero(ZeroStage stage, int workers) {
        var trainer = new DataParallelTrainer<GPT>(r -> new GPT(CFG.withSeed(7 + r)),
                ZeroDataParallel.optimizerFactory(), (m, b) -> ZeroDataParallel.lossOf(m, b.x(), b.y()), CONFIG,
                ZeroDataParallel.strategy(stage, m -> ((GPT) m).blocks(), LR, 0.9, 0.999, 1e-8, WD));
        return ThreadCommunicator.run(workers, TIMEOUT, comm -> {
            var replica = trainer.fitSteps(comm, STEPS, SOURCE);
            return ((ZeroDataParallel) replica.dataParallel()).fullParameters();
        });
    }

    @ParameterizedTest(name = "stage {0}, W = {1}")
    @CsvSource({"ONE,1", "ONE,2", "ONE,3", "ONE,4", "TWO,1", "TWO,2", "TWO,3", "TWO,4",
            "THREE,1", "THREE,2", "THREE,3", "THREE,4"})
    void sameWeightsAsPlainDataParallelism(ZeroStage stage, int workers) {
        List<INDArray> expected = plainDataParallel(workers);
        List<List<INDArray>> got = zero(stage, workers);
        assertEquals(891, expected.stream().mapToLong(INDArray::length).sum());
        for (int r = 0; r < workers; r++) {
            for (int i = 0; i < expected.size(); i++) {
                INDArray e = expected.get(i), g = got.get(r).get(i);
                double diff = e.sub(g).amaxNumber().doubleValue();
                assertTrue(diff < 1e-9, "stage " + stage + ", W " + workers + ", rank " + r + ", parameter " + i
                        + ": differs from plain data parallelism by " + diff);
            }
        }
        // and the weights moved (a ZeRO that skipped the update would fail above, but say so plainly)
        INDArray start = new GPT(CFG.withSeed(7)).parameters().get(0).value();
        assertTrue(start.sub(expected.get(0)).amaxNumber().doubleValue() > 1e-3);
    }
}
