package org.bigmodels.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Bytes per worker measured from the arrays held, against the float32 formulas of {@link ZeroStage#formula}
 * (weights 4Ψ, gradients 4Ψ, Adam 8Ψ, each /W when partitioned). Tolerance: slices are cut per tensor, so each part
 * may differ from its share by less than one element per tensor (bytes/element × number of tensors); stage 3's
 * parameters also hold the gathered working set (largest block + the resident embeddings and head), reported apart.
 * Summed over the ranks, the partitioned parts are exact.
 */
class ZeroMemoryTest {
    static final GPTConfig CFG = new GPTConfig(13, 8, 3, 1, 7, 0.0, DataType.FLOAT, 5);

    /** Two steps by hand; the account is taken after the second backward and synchronisation, before its update. */
    static MemoryAccount measure(ZeroStage stage, org.bigmodels.comm.Communicator comm, long[] workingSet) {
        GPT model = new GPT(CFG);
        var zero = new ZeroDataParallel(comm, model, stage, model.blocks(), 0.01, 0.9, 0.999, 1e-8, 0.1);
        var opt = zero.optimizer();
        MemoryAccount account = null;
        for (int s = 0; s < 2; s++) {
            Batch b = ZeroEquivalenceTest.batch(s, comm.rank());
            opt.zeroGrad();
            zero.beforeStep(s);
            Tensor loss = zero.gptLoss(model, b.x(), b.y());
            loss.backward();
            zero.synchronize(opt.parameters());
            if (s == 1) account = zero.memory(null);
            opt.step();
        }
        workingSet[comm.rank()] = zero.workingSetBytes();
        zero.close();
        return account;
    }

    @ParameterizedTest(name = "stage {0}, W = {1}")
    @CsvSource({"ONE,3", "TWO,3", "THREE,3", "ONE,4", "TWO,4", "THREE,4"})
    void measuredBytesMatchTheFormula(ZeroStage stage, int workers) {
        long psi = new GPT(CFG).parameterCount();
        int tensors = new GPT(CFG).parameters().size();
        long[] ws = new long[workers];
        List<MemoryAccount> accounts = ThreadCommunicator.run(workers, 60_000, c -> measure(stage, c, ws));
        MemoryAccount f = stage.formula(psi, workers);
        System.out.printf("ZeRO-%s W=%d Psi=%d rank0 measured %s (working set %d B) formula %s%n", stage, workers,
                psi, accounts.get(0), ws[0], f);
        long sumState = 0, sumGrads = 0;
        for (int r = 0; r < workers; r++) {
            MemoryAccount m = accounts.get(r);
            String at = "stage " + stage + ", W " + workers + ", rank " + r + ": measured " + m + " vs formula " + f;
            assertEquals(f.parameters(), m.parameters() - ws[r], 4.0 * tensors, "parameters, " + at);
            assertEquals(f.gradients(), m.gradients(), 4.0 * tensors, "gradients, " + at);
            assertEquals(f.optimizerState(), m.optimizerState(), 8.0 * tensors, "optimizer state, " + at);
            sumState += m.optimizerState();
            sumGrads += m.gradients();
        }
        assertEquals(8 * psi, sumState, "the ranks' optimizer-state slices must add up to 8Ψ exactly");
        if (stage != ZeroStage.ONE) assertEquals(4 * psi, sumGrads, "the gradient shards must add up to 4Ψ exactly");
        if (stage == ZeroStage.THREE) assertTrue(ws[0] < 4 * psi, "the working set must be less than the model");
    }

    @Test
    void plainAdamHoldsSixteenBytesPerParameter() {
        GPT model = new GPT(CFG);
        var adam = Adam.adamW(model.parameters(), 0.01, 0.1);
        Batch b = ZeroEquivalenceTest.batch(0, 0);
        model.loss(b.x(), b.y()).backward();
        adam.step();
        Tensor loss = model.loss(b.x(), b.y());
        MemoryAccount m = MemoryAccount.of(model, adam, loss);
        long psi = model.parameterCount();
        assertEquals(ZeroStage.NONE.formula(psi, 1).withActivations(m.activations()), m);
        assertTrue(m.activations() > 0);
    }

    @Test
    void badInputs() {
        var e = assertThrows(IllegalArgumentException.class, () -> ZeroStage.ONE.formula(10, 0));
        assertTrue(e.getMessage().contains("workers >= 1"));
        var comm = ThreadCommunicator.group(1).get(0);
        GPT model = new GPT(CFG);
        e = assertThrows(IllegalArgumentException.class,
                () -> new ZeroDataParallel(comm, model, ZeroStage.NONE, List.of(), 0.1, 0.9, 0.999, 1e-8, 0));
        assertTrue(e.getMessage().contains("ONE, TWO or THREE"));
        GPT dropout = new GPT(CFG.withDropout(0.1));
        var z = new ZeroDataParallel(comm, dropout, ZeroStage.THREE, dropout.blocks(), 0.1, 0.9, 0.999, 1e-8, 0);
        Batch b = ZeroEquivalenceTest.batch(0, 0);
        e = assertThrows(IllegalArgumentException.class, () -> z.gptLoss(dropout, b.x(), b.y()));
        assertTrue(e.getMessage().contains("dropout 0"));
        assertThrows(IllegalArgumentException.class, () -> new AdamWShard(-1, 0.9, 0.999, 1e-8, 0));
    }
}
