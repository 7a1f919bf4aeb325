package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SIMD int8 kernel against a one-channel plain loop summed in long (the independent reference): odd shapes that
 * leave vector and four-channel tails, the extreme values (uint8 255 times int8 -128), two threads at once; and the
 * integer MLP gives the same integers with either kernel.
 */
class VectorInt8KernelTest {

    /** The one-channel loop summed in long ({@link Int8KernelHostileInputTest#referenceLong}); every sum must fit int32. */
    static int[] reference(byte[] x, byte[] w, int[] bias, int n, int in, int out) {
        return java.util.Arrays.stream(Int8KernelHostileInputTest.referenceLong(x, w, bias, n, in, out)).mapToInt(Math::toIntExact).toArray();
    }

    static int[] run(Int8Kernel k, byte[] x, byte[] w, int[] bias, int n, int in, int out) {
        int[] acc = new int[n * out];
        java.util.Arrays.fill(acc, 12345); // must be overwritten
        k.matmul(x, w, bias, acc, n, in, out);
        return acc;
    }

    @Test
    void theVectorApiIsEnabledInTheTests() {
        assertTrue(VectorInt8Kernel.isAvailable(), "surefire's argLine must add --add-modules jdk.incubator.vector");
        assertTrue(VectorInt8Kernel.lanes() >= 2, "lanes: " + VectorInt8Kernel.lanes()); // 2 with 64-bit vectors
    }

    @Test
    void matchesThePlainLoopOnShapesWithTails() {
        Random rng = new Random(1);
        int lanes = VectorInt8Kernel.lanes();
        int[][] shapes = {{1, 1, 1}, {3, lanes - 1, 3}, {2, lanes, 4}, {5, lanes + 1, 5}, {4, 3 * lanes + 7, 7},
                {7, 784, 30}, {3, 300, 10}};
        for (int[] sh : shapes) {
            int n = sh[0], in = sh[1], out = sh[2];
            byte[] x = new byte[n * in], w = new byte[out * in];
            rng.nextBytes(x);
            rng.nextBytes(w);
            int[] bias = rng.ints(out, -100_000, 100_000).toArray();
            int[] want = reference(x, w, bias, n, in, out);
            assertArrayEquals(want, run(VectorInt8Kernel.INSTANCE, x, w, bias, n, in, out),
                    "vector kernel, shape n=" + n + " in=" + in + " out=" + out + " (a tail of in % lanes or out % 4 dropped or doubled?)");
            assertArrayEquals(want, run(Int8Kernel.PLAIN, x, w, bias, n, in, out), "plain kernel, same shape");
        }
    }

    @Test
    void inputsAreUnsignedAndWeightsSigned() {
        int n = 2, in = 1000, out = 5;
        byte[] x = new byte[n * in], w = new byte[out * in];
        java.util.Arrays.fill(x, (byte) 255);   // uint8 255, which a sign extension would read as -1
        java.util.Arrays.fill(w, (byte) -128);  // int8 -128
        int[] bias = new int[out];
        int[] got = run(VectorInt8Kernel.INSTANCE, x, w, bias, n, in, out);
        for (int v : got) assertEquals(-255 * 128 * in, v, "uint8 x must be zero-extended (255, not -1), int8 w sign-extended");
    }

    @Test
    void twoThreadsAtOnceGetTheirOwnResults() throws Exception {
        Random rng = new Random(3);
        int n = 40, in = 200, out = 33;
        byte[][] xs = new byte[2][n * in];
        byte[] w = new byte[out * in];
        rng.nextBytes(w);
        for (byte[] x : xs) rng.nextBytes(x);
        int[] bias = rng.ints(out, -1000, 1000).toArray();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int rep = 0; rep < 20; rep++) {
                Future<int[]> a = pool.submit(() -> run(VectorInt8Kernel.INSTANCE, xs[0], w, bias, n, in, out));
                Future<int[]> b = pool.submit(() -> run(VectorInt8Kernel.INSTANCE, xs[1], w, bias, n, in, out));
                assertArrayEquals(reference(xs[0], w, bias, n, in, out), a.get(60, TimeUnit.SECONDS));
                assertArrayEquals(reference(xs[1], w, bias, n, in, out), b.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shortArraysAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorInt8Kernel.INSTANCE.matmul(new byte[10], new byte[20], new int[2], new int[10], 2, 10, 2));
        assertTrue(e.getMessage().contains("x [2 x 10]"), e.getMessage());
    }

    @Test
    void theIntegerMlpGivesTheSameIntegersWithEitherKernel() {
        MLP model = new MLP(new long[] {20, 12, 5}, Activation.RELU, DataType.FLOAT, 4);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 9, 20);
        IntegerMLP im = IntegerMLP.quantize(model, x);
        var plain = im.forwardInts(x);
        var simd = im.forwardInts(x, VectorInt8Kernel.INSTANCE);
        for (int l = 0; l < plain.size(); l++) assertArrayEquals(plain.get(l), simd.get(l), "layer " + l);
    }
}
