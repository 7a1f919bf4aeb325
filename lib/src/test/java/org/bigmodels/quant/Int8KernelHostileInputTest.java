package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hostile inputs to both int8 kernels and to IntegerMLP.forwardInts(x, kernel): arrays shorter or longer than the
 * shapes, n / in / out of 0 or negative, accumulators beyond int32, a null kernel, a badly shaped or non-finite x. The
 * reference is a one-channel loop summed in long.
 */
class Int8KernelHostileInputTest {
    static final List<Int8Kernel> KERNELS = List.of(Int8Kernel.PLAIN, VectorInt8Kernel.INSTANCE);

    static long[] referenceLong(byte[] x, byte[] w, int[] bias, int n, int in, int out) {
        long[] acc = new long[n * out];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < out; j++) {
                long s = bias[j];
                for (int i = 0; i < in; i++) s += (long) (x[r * in + i] & 0xFF) * w[j * in + i];
                acc[r * out + j] = s;
            }
        }
        return acc;
    }

    @Test
    void arraysShorterThanTheShapesAreRefusedByBothKernels() {
        int n = 3, in = 10, out = 5;
        for (Int8Kernel k : KERNELS) {
            String name = k == Int8Kernel.PLAIN ? "PLAIN" : "SIMD";
            assertThrows(IllegalArgumentException.class, () -> k.matmul(new byte[n * in - 1], new byte[out * in], new int[out],
                    new int[n * out], n, in, out), name + ": x short");
            assertThrows(IllegalArgumentException.class, () -> k.matmul(new byte[n * in], new byte[out * in - 1], new int[out],
                    new int[n * out], n, in, out), name + ": w short");
            assertThrows(IllegalArgumentException.class, () -> k.matmul(new byte[n * in], new byte[out * in], new int[out - 1],
                    new int[n * out], n, in, out), name + ": bias short");
            var e = assertThrows(IllegalArgumentException.class, () -> k.matmul(new byte[n * in], new byte[out * in],
                    new int[out], new int[n * out - 1], n, in, out), name + ": acc short");
            assertTrue(e.getMessage().contains("expected") && e.getMessage().contains("got"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.matmul(new byte[0], new byte[0], new int[0], new int[0], -1, 0, 0),
                    name + ": n < 0");
        }
    }

    @Test
    void longerArraysUseThePrefixAndLeaveTheRestOfAccAlone() {
        Random rng = new Random(5);
        int n = 3, in = 37, out = 6;
        byte[] x = new byte[n * in + 50], w = new byte[out * in + 50];
        rng.nextBytes(x);
        rng.nextBytes(w);
        int[] bias = rng.ints(out + 4, -1000, 1000).toArray();
        long[] want = referenceLong(x, w, bias, n, in, out);
        for (Int8Kernel k : KERNELS) {
            int[] acc = new int[n * out + 7];
            Arrays.fill(acc, -7);
            k.matmul(x, w, bias, acc, n, in, out);
            for (int i = 0; i < n * out; i++) assertEquals(want[i], acc[i], "acc " + i);
            for (int i = n * out; i < acc.length; i++) assertEquals(-7, acc[i], "acc beyond n * out must be untouched");
        }
    }

    @Test
    void emptyShapes() {
        for (Int8Kernel k : KERNELS) {
            int[] acc = new int[6];
            k.matmul(new byte[0], new byte[0], new int[] {4, -5, 6}, acc, 2, 0, 3); // in = 0: acc = bias
            assertArrayEquals(new int[] {4, -5, 6, 4, -5, 6}, acc);
            k.matmul(new byte[0], new byte[12], new int[3], new int[0], 0, 4, 3);  // n = 0: nothing
            k.matmul(new byte[8], new byte[0], new int[0], new int[0], 2, 4, 0);   // out = 0: nothing
        }
    }

    /** Past 2^31 both kernels wrap the same way (the documented limit); IntegerMLP must refuse such a layer. */
    @Test
    void accumulatorsBeyondInt32() {
        int in = 70_000;
        byte[] x = new byte[in], w = new byte[in];
        Arrays.fill(x, (byte) 255);
        Arrays.fill(w, (byte) 127);
        long exact = referenceLong(x, w, new int[1], 1, in, 1)[0];
        assertTrue(exact > Integer.MAX_VALUE);
        for (Int8Kernel k : KERNELS) {
            int[] acc = new int[1];
            k.matmul(x, w, new int[1], acc, 1, in, 1);
            assertEquals((int) exact, acc[0], "both kernels wrap modulo 2^32 alike");
        }
        MLP wide = new MLP(new long[] {in, 2}, Activation.RELU, DataType.FLOAT, 1);
        wide.linears().get(0).weight().value().assign(1);
        wide.linears().get(0).bias().value().assign(0);
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, in);
        var e = assertThrows(IllegalArgumentException.class, () -> IntegerMLP.quantize(wide, ones),
                "70,000 inputs of 255 x 127 overflow the int32 accumulator: the layer must be refused, not wrap silently");
        assertTrue(e.getMessage().contains("int32"), e.getMessage());
    }

    @Test
    void forwardIntsRefusesBadArgumentsClearly() {
        MLP model = new MLP(new long[] {6, 5, 3}, Activation.RELU, DataType.FLOAT, 4);
        IntegerMLP im = IntegerMLP.quantize(model, Nd4j.rand(DataType.FLOAT, 8, 6));
        var e = assertThrows(NullPointerException.class, () -> im.forwardInts(Nd4j.rand(DataType.FLOAT, 2, 6), null));
        assertNotNull(e.getMessage(), "a null kernel: say which argument");
        assertThrows(ShapeException.class, () -> im.forwardInts(Nd4j.scalar(1f), Int8Kernel.PLAIN));
        assertThrows(ShapeException.class, () -> im.forwardInts(Nd4j.rand(DataType.FLOAT, 2, 7), VectorInt8Kernel.INSTANCE));
        INDArray nan = Nd4j.rand(DataType.FLOAT, 2, 6);
        nan.putScalar(1, 2, Float.NaN);
        assertThrows(IllegalArgumentException.class, () -> im.forwardInts(nan, VectorInt8Kernel.INSTANCE),
                "a NaN input must not become some uint8 code silently");
    }
}
