package org.bigmodels.dataparallel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.bigmodels.train.Batch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The sampler against counting: every example once per epoch across workers, padding/dropping as PyTorch's. */
class DistributedSamplerTest {

    static int[] countPerExample(List<int[]> ranks, int n) {
        int[] seen = new int[n];
        for (int[] r : ranks) for (int i : r) seen[i]++;
        return seen;
    }

    @Test
    void everyExampleExactlyOncePerEpochWhenTheWorkersDivideTheData() {
        for (int w = 1; w <= 4; w++) {
            int n = 12;
            for (int epoch = 0; epoch < 3; epoch++) {
                List<int[]> ranks = DistributedSampler.allRanks(n, w, true, 7, false, epoch);
                int[] seen = countPerExample(ranks, n);
                for (int i = 0; i < n; i++) assertEquals(1, seen[i], "W=" + w + " epoch " + epoch + " example " + i);
                for (int[] r : ranks) assertEquals(n / w, r.length);
            }
        }
    }

    @Test
    void padsOrDropsTheRemainderAsPyTorchDoes() {
        int n = 10, w = 4; // 10 = 2·4 + 2
        List<int[]> padded = DistributedSampler.allRanks(n, w, true, 3, false, 1);
        int[] seen = countPerExample(padded, n);
        assertEquals(12, Arrays.stream(seen).sum(), "padding to ceil(10/4)·4 = 12");
        assertTrue(Arrays.stream(seen).allMatch(c -> c == 1 || c == 2), Arrays.toString(seen));
        assertEquals(2, Arrays.stream(seen).filter(c -> c == 2).count(), "two examples repeated");
        padded.forEach(r -> assertEquals(3, r.length));

        List<int[]> dropped = DistributedSampler.allRanks(n, w, true, 3, true, 1);
        seen = countPerExample(dropped, n);
        assertEquals(8, Arrays.stream(seen).sum());
        assertTrue(Arrays.stream(seen).allMatch(c -> c <= 1), "dropLast never repeats: " + Arrays.toString(seen));
        dropped.forEach(r -> assertEquals(2, r.length));
    }

    @Test
    void sameOrderForASeedDifferentPerEpochAndDealtRoundRobin() {
        int n = 50;
        DistributedSampler a = new DistributedSampler(n, 3, 1, 11);
        DistributedSampler b = new DistributedSampler(n, 3, 1, 11);
        assertArrayEquals(a.indices(2), b.indices(2), "the same seed and epoch give the same order");
        assertFalse(Arrays.equals(a.indices(0), a.indices(1)), "each epoch is shuffled differently");
        assertFalse(Arrays.equals(a.indices(0), new DistributedSampler(n, 3, 1, 12).indices(0)), "seed matters");
        // unshuffled: rank r gets r, r + W, r + 2W, ... of [0..9, 0, 1] (padded to 12 = 4·3)
        assertArrayEquals(new int[] {1, 4, 7, 0}, new DistributedSampler(10, 3, 1, false, 0, false).indices(0));
        assertArrayEquals(new int[] {2, 5, 8, 1}, new DistributedSampler(10, 3, 2, false, 0, false).indices(0),
                "padding repeats the first indices");
    }

    @Test
    void stepSourceIsAFunctionOfTheGlobalStep() {
        int n = 9;
        INDArray x = Nd4j.arange(n).castTo(DataType.FLOAT).reshape(n, 1);
        INDArray y = Nd4j.arange(n).castTo(DataType.FLOAT);
        DistributedSampler s = new DistributedSampler(n, 2, 0, 5);
        assertEquals(5, s.perWorker());
        assertEquals(3, s.batchesPerEpoch(2));
        IntFunction<Batch> src = s.stepSource(x, y, 2);
        int[] epoch1 = s.indices(1);
        Batch b = src.apply(4); // epoch 1, batch 1: rows epoch1[2], epoch1[3]
        assertEquals(epoch1[2], b.x().getInt(0, 0));
        assertEquals(epoch1[3], b.y().getInt(1));
        assertEquals(1, src.apply(5).size(), "the last batch of an epoch holds the rest");
        assertEquals(src.apply(4).x(), s.stepSource(x, y, 2).apply(4).x(), "no hidden state");
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 0, 0, 1));
        assertTrue(e.getMessage().contains("world size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(3, 4, 0, 1));
        assertTrue(e.getMessage().contains("more workers (4) than examples (3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 0, 1).indices(-1));
        INDArray x = Nd4j.zeros(DataType.FLOAT, 8, 1);
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 0, 1).stepSource(x, x, 2));
    }
}
