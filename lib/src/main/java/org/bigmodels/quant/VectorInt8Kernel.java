package org.bigmodels.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The int8 matrix product of {@link Int8Kernel} on the SIMD lanes of the Java Vector API ({@code jdk.incubator.vector},
 * JEP 414 in Java 17): L bytes of an input row and of a weight row are loaded at once, widened to L int32 lanes (the
 * input zero-extended, it is uint8; the weight sign-extended), multiplied lane by lane and added into L running sums;
 * the lanes are summed once per output at the end. L is the machine's preferred int width (16 with AVX-512, 8 with
 * AVX2; with 128-bit registers, ARM NEON or SSE, L = 4 and 8 bytes are loaded and widened in two halves). As in the
 * plain loop, four output channels share each loaded input vector. The same integers as {@link Int8Kernel#PLAIN},
 * exactly: integer addition does not care about the order.
 *
 * <p>The Vector API is an incubator module in Java 17: the JVM must be started with
 * {@code --add-modules jdk.incubator.vector} (the course's kernel, tests and benchmarks are; it prints one warning line
 * "Using incubator modules"). Without it {@link #isAvailable()} is false and {@link #INSTANCE}'s matmul throws.
 */
public final class VectorInt8Kernel implements Int8Kernel {
    /** The kernel. */
    public static final VectorInt8Kernel INSTANCE = new VectorInt8Kernel();

    private VectorInt8Kernel() {}

    /** True when the JVM was started with the Vector API module (see the class comment). */
    public static boolean isAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The SIMD width in int32 lanes, or 0 if the Vector API is not available. */
    public static int lanes() {
        return isAvailable() ? Simd.INT.length() : 0;
    }

    /**
     * @throws IllegalStateException    if the JVM was started without {@code --add-modules jdk.incubator.vector}
     * @throws IllegalArgumentException if an array is shorter than its shape says
     */
    @Override
    public void matmul(byte[] x, byte[] w, int[] bias, int[] acc, int n, int in, int out) {
        if (!isAvailable()) {
            throw new IllegalStateException("VectorInt8Kernel: the Java Vector API is not enabled in this JVM; start it with "
                    + "--add-modules jdk.incubator.vector (./course does), or use Int8Kernel.PLAIN");
        }
        Int8Kernel.checkShapes("VectorInt8Kernel", x, w, bias, acc, n, in, out);
        Simd.matmul(x, w, bias, acc, n, in, out);
    }

    /** The vector code, in a class of its own so that nothing of the incubator module loads unless it is there. */
    private static final class Simd {
        static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
        /**
         * As many bytes as INT has lanes, but at least 64 bits (the smallest vector shape): with 128-bit registers
         * (ARM NEON, SSE) INT has 4 lanes and a 32-bit byte vector does not exist, so 8 bytes are loaded and widened
         * in PARTS = 2 halves.
         */
        static final VectorSpecies<Byte> BYTE = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, INT.length() * 8)));
        static final int PARTS = BYTE.length() / INT.length();

        /** Part p (INT.length() lanes) of the bytes b widened to int32, sign-extended. */
        static IntVector widen(ByteVector b, int p) {
            return (IntVector) b.convertShape(VectorOperators.B2I, INT, p);
        }

        static ByteVector load(byte[] a, int offset) {
            return ByteVector.fromArray(BYTE, a, offset);
        }

        static void matmul(byte[] x, byte[] w, int[] bias, int[] acc, int n, int in, int out) {
            int step = BYTE.length(), bound = in - in % step;
            for (int r = 0; r < n; r++) {
                int xo = r * in, j = 0;
                for (; j + 3 < out; j += 4) {
                    int w0 = j * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
                    IntVector s0 = IntVector.zero(INT), s1 = s0, s2 = s0, s3 = s0;
                    for (int i = 0; i < bound; i += step) {
                        ByteVector xb = load(x, xo + i), b0 = load(w, w0 + i), b1 = load(w, w1 + i), b2 = load(w, w2 + i),
                                b3 = load(w, w3 + i);
                        for (int p = 0; p < PARTS; p++) {
                            IntVector xv = widen(xb, p).and(0xFF);          // uint8: undo the sign extension
                            s0 = s0.add(xv.mul(widen(b0, p)));
                            s1 = s1.add(xv.mul(widen(b1, p)));
                            s2 = s2.add(xv.mul(widen(b2, p)));
                            s3 = s3.add(xv.mul(widen(b3, p)));
                        }
                    }
                    int t0 = bias[j] + s0.reduceLanes(VectorOperators.ADD), t1 = bias[j + 1] + s1.reduceLanes(VectorOperators.ADD);
                    int t2 = bias[j + 2] + s2.reduceLanes(VectorOperators.ADD), t3 = bias[j + 3] + s3.reduceLanes(VectorOperators.ADD);
                    for (int i = bound; i < in; i++) {                       // the tail shorter than one vector
                        int xv = x[xo + i] & 0xFF;
                        t0 += xv * w[w0 + i];
                        t1 += xv * w[w1 + i];
                        t2 += xv * w[w2 + i];
                        t3 += xv * w[w3 + i];
                    }
                    acc[r * out + j] = t0;
                    acc[r * out + j + 1] = t1;
                    acc[r * out + j + 2] = t2;
                    acc[r * out + j + 3] = t3;
                }
                for (; j < out; j++) {                                       // the last out % 4 channels
                    int wo = j * in;
                    IntVector s = IntVector.zero(INT);
                    for (int i = 0; i < bound; i += step) {
                        ByteVector xb = load(x, xo + i), wb = load(w, wo + i);
                        for (int p = 0; p < PARTS; p++) s = s.add(widen(xb, p).and(0xFF).mul(widen(wb, p)));
                    }
                    int t = bias[j] + s.reduceLanes(VectorOperators.ADD);
                    for (int i = bound; i < in; i++) t += (x[xo + i] & 0xFF) * w[wo + i];
                    acc[r * out + j] = t;
                }
            }
        }
    }
}
