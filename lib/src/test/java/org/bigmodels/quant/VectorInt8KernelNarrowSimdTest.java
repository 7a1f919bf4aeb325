package org.bigmodels.quant;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernel on narrower vector hardware than this machine's: a child JVM capped at 128-bit vectors (ARM NEON,
 * SSE: 4 int lanes, for which no 32-bit byte vector exists) and at 64-bit vectors (2 lanes) must give the plain loop's
 * integers, not fail in the kernel's class initialisation. Also a child JVM without the incubator module: the integer
 * MLP runs with the plain kernel, and the SIMD kernel says how to enable it.
 */
class VectorInt8KernelNarrowSimdTest {

    /** The child: checks the SIMD kernel against a long-sum loop on shapes with tails, prints the lanes, exits 0 / 1. */
    public static final class Child {
        public static void main(String[] args) {
            Random rng = new Random(3);
            int[][] shapes = {{1, 1, 1}, {2, 3, 5}, {3, 7, 4}, {2, 8, 3}, {3, 9, 6}, {2, 17, 5}, {4, 100, 9}};
            if (!VectorInt8Kernel.isAvailable()) {
                try {
                    VectorInt8Kernel.INSTANCE.matmul(new byte[1], new byte[1], new int[1], new int[1], 1, 1, 1);
                    System.out.println("SIMD kernel ran without the module");
                    System.exit(1);
                } catch (IllegalStateException e) {
                    System.out.println("refused: " + e.getMessage());
                }
            }
            for (int[] sh : shapes) {
                int n = sh[0], in = sh[1], out = sh[2];
                byte[] x = new byte[n * in], w = new byte[out * in];
                rng.nextBytes(x);
                rng.nextBytes(w);
                int[] bias = rng.ints(out, -1000, 1000).toArray(), want = new int[n * out], got = new int[n * out];
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < out; j++) {
                        long s = bias[j];
                        for (int i = 0; i < in; i++) s += (long) (x[r * in + i] & 0xFF) * w[j * in + i];
                        want[r * out + j] = Math.toIntExact(s);
                    }
                }
                Int8Kernel k = VectorInt8Kernel.isAvailable() ? VectorInt8Kernel.INSTANCE : Int8Kernel.PLAIN;
                k.matmul(x, w, bias, got, n, in, out);
                if (!java.util.Arrays.equals(want, got)) {
                    System.out.println("mismatch at shape " + java.util.Arrays.toString(sh));
                    System.exit(1);
                }
            }
            System.out.println("ok lanes " + VectorInt8Kernel.lanes());
        }
    }

    static String run(List<String> jvmFlags) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertTrue(done, "child JVM hung: " + cmd);
        assertEquals(0, p.exitValue(), "child JVM " + jvmFlags + " failed:\n" + outText);
        return outText;
    }

    @Test
    void narrowVectorRegistersGiveThePlainIntegers() throws Exception {
        String v128 = run(List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=16"));
        assertTrue(v128.contains("ok lanes 4"), v128);
        String v64 = run(List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=8"));
        assertTrue(v64.contains("ok lanes 2"), v64);
    }

    @Test
    void withoutTheIncubatorModuleThePlainPathStillLoads() throws Exception {
        String out = run(List.of());
        assertTrue(out.contains("refused: VectorInt8Kernel: the Java Vector API is not enabled") && out.contains("ok lanes 0"), out);
    }
}
