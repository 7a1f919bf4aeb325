package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.bench.Gpt4BitBenchmark;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.junit.jupiter.api.Test;

/**
 * Bad option values of {@code ./course bench gpt4bit} are refused at once with a message naming the option, what it
 * accepts and what it got, before any data is loaded or any loss computed: not an IndexOutOfBounds, a
 * NoSuchElementException, a NumberFormatException or a ShapeException minutes into the run, nor a training run that
 * silently writes no file.
 */
class Gpt4BitBenchmarkOptionsTest {

    static void refused(String option, String... args) {
        var e = assertThrows(IllegalArgumentException.class, () -> Gpt4BitBenchmark.options(args), String.join(" ", args));
        assertEquals(IllegalArgumentException.class, e.getClass(), "a plain IllegalArgumentException, not " + e);
        assertTrue(e.getMessage().contains(option) && e.getMessage().contains("got"), String.join(" ", args) + ": " + e.getMessage());
    }

    @Test
    void badValuesAreRefusedUpFront() {
        refused("val=", "val=0");
        refused("val=", "val=65");
        refused("calib=", "calib=0", "val=1");
        refused("calib=", "calib=100000", "val=1");   // about 1.3 TB of captured activations
        refused("grid=", "grid=0", "val=1");
        refused("grid=", "grid=abc", "val=1");
        refused("groups=", "groups=3", "val=1");
        refused("groups=", "groups=0", "val=1");
        refused("groups=", "groups=200", "val=1");   // 128 -> one group, but 512 % 200 != 0
        refused("groups=", "groups=32,,64", "val=1");
        refused("stop=", "train", "out=" + System.getProperty("java.io.tmpdir") + "/gpt4bit-never.bin", "stop=0");
        refused("stop=", "train", "out=" + System.getProperty("java.io.tmpdir") + "/gpt4bit-never.bin", "stop=300");
        refused("out=", "train");
        refused("unknown option --bogus", "--bogus", "1");
        refused("--calib", "--calib");                       // the value is missing
        refused("calib=", "--calib", "0");                   // the --key value form is checked like key=value
    }

    /** Both option styles of the benchmarks read alike: key=value, --key value, --key=value. */
    @Test
    void bothStylesReadAlike() {
        var a = Gpt4BitBenchmark.options(new String[] {"calib=64", "groups=32,64", "val=3", "layers"});
        var b = Gpt4BitBenchmark.options(new String[] {"--calib", "64", "--groups=32,64", "--val", "3", "--layers"});
        assertEquals(a.calibRows(), b.calibRows());
        assertEquals(64, b.calibRows());
        assertArrayEquals(new int[] {32, 64}, b.groups());
        assertEquals(3, b.valBatches());
        assertTrue(a.layers() && b.layers() && !b.train() && !b.help());
        var d = Gpt4BitBenchmark.options(new String[0]);
        assertEquals(Gpt4BitBenchmark.CALIBRATION_ROWS, d.calibRows(), "defaults");
        assertArrayEquals(new int[] {32, 64, 128}, d.groups());
        assertTrue(Gpt4BitBenchmark.options(new String[] {"--help"}).help());
    }

    /** The "closed" column and the per-layer "% lower": a share of a zero or negative gap is "n/a", never NaN or Infinity. */
    @Test
    void sharesOfNothingAreNotANumberToPrint() {
        assertEquals("36%", Gpt4BitBenchmark.percentOf(0.0086, 0.0238));
        assertEquals("n/a", Gpt4BitBenchmark.percentOf(0, 0), "RTN exactly as good as float on the batches");
        assertEquals("n/a", Gpt4BitBenchmark.percentOf(0.01, -0.002), "RTN better than float on few batches (val=1)");
        assertEquals("n/a", Gpt4BitBenchmark.percentOf(Double.NaN, 1));
    }

    @Test
    void lossOfNoBatchesIsRefused() {
        GPT gpt = new GPT(GPTConfig.tiny(11).withNLayer(1).withNEmbd(16, 2).withBlockSize(8).withSeed(3));
        var e = assertThrows(IllegalArgumentException.class, () -> Gpt4BitBenchmark.loss(gpt, List.of()),
                "the mean over no batches (was NoSuchElementException: No value present)");
        assertTrue(e.getMessage().contains("got none"), e.getMessage());
    }
}
