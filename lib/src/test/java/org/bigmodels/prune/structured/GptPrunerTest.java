package org.bigmodels.prune.structured;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GptPrunerTest {
    private static final GPTConfig CONFIG = new GPTConfig(11, 8, 2, 4, 16, 0.0, DataType.DOUBLE, 3);

    private static INDArray ids() {
        return Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {10, 0, 3, 3, 9, 2, 1, 4}});
    }

    /** The GPT of CONFIG with random biases (a fresh GPT's are zero, which would hide a bias sliced wrongly). */
    private static GPT gptWithBiases() {
        GPT g = new GPT(CONFIG);
        Nd4j.getRandom().setSeed(17);
        g.namedParameters().forEach((n, p) -> {
            if (n.endsWith("bias")) p.value().assign(Nd4j.randn(p.value().dataType(), p.value().shape()).muli(0.3));
        });
        return g;
    }

    private static INDArray logits(GPT m) {
        try (var off = Tensor.noGrad()) {
            m.train(false);
            return m.forward(ids()).value().dup();
        }
    }

    private static INDArray logits(PrunedGpt m) {
        try (var off = Tensor.noGrad()) {
            m.train(false);
            return m.forward(ids()).value().dup();
        }
    }

    @Test
    void unprunedCopyComputesTheGptsLogits() {
        GPT gpt = new GPT(CONFIG);
        assertTrue(logits(gpt).equalsWithEps(logits(PrunedGpt.of(gpt)), 1e-12));
    }

    @Test
    void prunedHeadsAndChannelsEqualTheGptWithThemZeroedByHand() {
        GPT gpt = gptWithBiases();
        int hd = 4;
        int[][] keepHeads = {{0, 2, 3}, {1, 3}};
        int[][] keepCh = {{0, 5, 9, 17, 40, 63}, {2, 3, 4}};
        PrunedGpt pruned = GptPruner.prune(gpt, keepHeads, keepCh);
        assertArrayEquals(new int[] {3, 2}, pruned.heads());
        assertArrayEquals(new int[] {6, 3}, pruned.mlpWidths());
        // reference: the real GPT class with the removed heads' proj rows and channels' mlp.2 rows set to zero
        GPT masked = gptWithBiases();
        for (int b = 0; b < 2; b++) {
            INDArray proj = masked.parameter("blocks." + b + ".attn.proj.weight").value();
            for (int h = 0; h < 4; h++) {
                if (Arrays.binarySearch(keepHeads[b], h) >= 0) continue;
                for (int r = 0; r < hd; r++) proj.getRow(h * hd + r).assign(0);
            }
            INDArray fc2 = masked.parameter("blocks." + b + ".mlp.2.weight").value();
            for (int j = 0; j < 64; j++) if (Arrays.binarySearch(keepCh[b], j) < 0) fc2.getRow(j).assign(0);
        }
        INDArray ref = logits(masked);
        assertFalse(ref.equalsWithEps(logits(gpt), 1e-6), "masking changed nothing: the test would prove nothing");
        assertTrue(ref.equalsWithEps(logits(pruned), 1e-10), "pruned GPT differs from the masked GPT");
        // and the library's own masked twin agrees
        assertTrue(ref.equalsWithEps(logits(GptPruner.masked(PrunedGpt.of(gpt), keepHeads, keepCh)), 1e-10));
    }

    @Test
    void fractionsAndScoresGiveTheExpectedShape() {
        GPT gpt = new GPT(CONFIG);
        Batch batch = new Batch(ids(), Nd4j.createFromArray(new int[][] {{2, 3, 4, 5, 6, 7, 8, 9},
                {0, 3, 3, 9, 2, 1, 4, 5}}));
        for (Importance imp : new Importance[] {Importance.L1, Importance.L2, Importance.TAYLOR}) {
            PrunedGpt p = GptPruner.prune(gpt, 0.25, 0.25, imp, batch);
            assertArrayEquals(new int[] {3, 3}, p.heads());
            assertArrayEquals(new int[] {48, 48}, p.mlpWidths());
            assertTrue(p.parameterCount() < gpt.parameterCount());
            try (var off = Tensor.noGrad()) {
                assertTrue(p.loss(batch.x(), batch.y()).item() > 0);
            }
        }
        double[][] l1 = GptPruner.headScores(gpt, Importance.L1, null);
        INDArray qkv = gpt.parameter("blocks.1.attn.qkv.weight").value();
        double ref = 0;
        for (int s = 0; s < 3; s++) for (int r = 0; r < 4; r++) for (int i = 0; i < 16; i++) {
            ref += Math.abs(qkv.getDouble(i, s * 16 + 2 * 4 + r));
        }
        assertEquals(ref, l1[1][2], 1e-12, "L1 of head 2 of block 1 = its q, k and v columns");
        // Taylor score of a head = |dL/d gate| for a gate scaling the head's output, by central differences
        double[][] t = GptPruner.headScores(gpt, Importance.TAYLOR, batch);
        double h = 1e-6;
        double lp = lossWithHeadGate(gpt, batch, 1 + h), lm = lossWithHeadGate(gpt, batch, 1 - h);
        assertEquals(Math.abs((lp - lm) / (2 * h)), t[0][1], 1e-6);
    }

    private static double lossWithHeadGate(GPT gpt, Batch batch, double g) {
        PrunedGpt c = PrunedGpt.of(gpt);
        INDArray proj = c.parameter("blocks.0.attn.proj.weight").value();
        for (int r = 4; r < 8; r++) proj.getRow(r).muli(g);
        try (var off = Tensor.noGrad()) {
            return c.loss(batch.x(), batch.y()).item();
        }
    }

    @Test
    void savedAndLoadedWithItsShape(@TempDir Path dir) {
        PrunedGpt p = GptPruner.prune(new GPT(CONFIG), new int[][] {{1}, {0, 1, 2}}, new int[][] {null, {7, 8}});
        Path f = dir.resolve("gpt.ckpt");
        p.save(f);
        PrunedGpt back = PrunedGpt.load(f);
        assertArrayEquals(p.heads(), back.heads());
        assertArrayEquals(p.mlpWidths(), back.mlpWidths());
        assertEquals(CONFIG, back.config());
        assertEquals(logits(p), logits(back));
    }

    @Test
    void badArgumentsGetClearErrors() {
        GPT gpt = new GPT(CONFIG);
        var e = assertThrows(IllegalArgumentException.class, () -> GptPruner.prune(gpt, 1.0, 0, Importance.L1, null));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GptPruner.prune(gpt, 0.9, 0, Importance.L1, null));
        assertTrue(e.getMessage().contains("remove all 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GptPruner.prune(gpt, new int[][] {{}, null}, null));
        assertTrue(e.getMessage().contains("block 0 heads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GptPruner.prune(gpt, new int[][] {null}, null));
        assertTrue(e.getMessage().contains("per block"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GptPruner.prune(gpt, 0.25, 0.25, Importance.MEAN_ACTIVATION, null));
        assertTrue(e.getMessage().contains("TAYLOR"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GptPruner.prune(gpt, 0.25, 0.25, Importance.TAYLOR, null));
    }
}
