package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.CostModel;
import org.bigmodels.comm.Launcher;
import org.bigmodels.comm.LoopbackProbe;
import org.bigmodels.comm.RingAllReduce;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the socket backend: ring all-reduce time and bandwidth against message size (1 KB … 64 MB of FLOAT) for
 * N = 2, 3, 4 worker processes on this machine's loopback, against the α–β model fitted to those very times, and
 * against a raw loopback socket copy of the same sizes (plain byte arrays, no serialization: the limit).
 *
 * <p>Bandwidths as nccl-tests defines them: algbw = S / t; busbw = algbw · 2(N−1)/N, the rate each rank's link
 * actually carries in a ring, comparable to the raw link bandwidth. The fit: the ring takes
 * t = 2(N−1)(α + (S/N)β), so α and β are the least-squares line through t / (2(N−1)) against S/N
 * ({@link CostModel#fit}).
 *
 * <p>Run from the repository root (the worker JVMs inherit the classpath and the environment):
 * <pre>
 * mvn -o -q -pl lib package -DskipTests
 * mvn -o -q -pl lib dependency:build-classpath -Dmdep.outputFile=target/runtime-classpath.txt -DincludeScope=runtime
 * OMP_NUM_THREADS=1 java -cp "lib/target/classes:$(cat lib/target/runtime-classpath.txt)" \
 *     org.bigmodels.bench.AllReduceBenchmark [maxMB (64)] [N... (2 3 4)]
 * </pre>
 * Not a unit test: it takes a minute or more and its numbers depend on the machine's load; on a shared machine run
 * it several times and report the range.
 */
public final class AllReduceBenchmark {
    private AllReduceBenchmark() {}

    /** Message sizes in bytes: 1 KB × 4^k up to {@code maxBytes}. */
    static long[] sizes(long maxBytes) {
        List<Long> s = new ArrayList<>();
        for (long b = 1024; b <= maxBytes; b *= 4) {
            s.add(b);
        }
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    /** Entry point: {@code [maxMB (default 64)] [N ... (default 2 3 4)]}, or {@code worker maxBytes} in a worker JVM. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("worker")) {
            long maxBytes = Long.parseLong(args[1]);
            Launcher.worker(comm -> {
                worker(comm, sizes(maxBytes));
                return null;
            });
            return;
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("AllReduceBenchmark [maxMB (64)] [N ... (2 3 4)]: socket ring all-reduce time and "
                    + "bandwidth for 1 KB .. maxMB of FLOAT at N worker processes, against the alpha-beta fit and a "
                    + "raw loopback socket copy");
            return;
        }
        try {
            for (String a : args) Long.parseLong(a);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("AllReduceBenchmark: expected [maxMB] [N ...] as whole numbers (e.g. "
                    + "64 2 3 4), got " + String.join(" ", args));
        }
        long maxBytes = (args.length > 0 ? Long.parseLong(args[0]) : 64) << 20;
        int[] ns = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {2, 3, 4};
        long[] sizes = sizes(maxBytes);
        System.out.println("# raw loopback TCP copy (byte arrays, one thread each way, half a round trip)");
        double[] raw = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            raw[i] = LoopbackProbe.pingPong((int) sizes[i], sizes[i] >= (16 << 20) ? 5 : 20);
            System.out.printf(Locale.ROOT, "raw  %10d B  %10.3f ms  %8.3f GB/s%n", sizes[i], raw[i] * 1e3,
                    sizes[i] / raw[i] / 1e9);
        }
        double[] rawX = Arrays.stream(sizes).asDoubleStream().toArray();
        CostModel rawModel = CostModel.fit("loopback raw", rawX, raw, "ping-pong, byte arrays");
        System.out.println("# " + rawModel);
        for (int n : ns) {
            Launcher.Result res = Launcher.run(n, 900_000, List.of("-Xmx2g", "-XX:+UseSerialGC",
                    "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"), AllReduceBenchmark.class, "worker",
                    String.valueOf(maxBytes));
            if (!res.ok()) {
                System.out.println(res.describe());
                continue;
            }
            List<double[]> rows = new ArrayList<>();
            for (String line : res.outputs()[0].split("\n")) {
                if (line.startsWith("RESULT ")) {
                    String[] f = line.trim().split(" ");
                    rows.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
                }
            }
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                x[i] = rows.get(i)[0] / n;
                y[i] = rows.get(i)[1] / (2.0 * (n - 1));
            }
            CostModel fit = CostModel.fit("socket ring, N=" + n, x, y, "fitted to the ring times below");
            System.out.println("# N = " + n + " processes, ring all-reduce of FLOAT arrays; " + fit);
            System.out.println("#        bytes     time ms   model ms   algbw GB/s  busbw GB/s  raw GB/s  busbw/raw");
            for (int i = 0; i < rows.size(); i++) {
                double s = rows.get(i)[0];
                double t = rows.get(i)[1];
                double bus = s / t * 2.0 * (n - 1) / n / 1e9;
                double rawBw = sizes[i] / raw[i] / 1e9;
                System.out.printf(Locale.ROOT, "ring %10.0f  %10.3f %10.3f  %10.3f  %10.3f  %8.3f  %8.2f%n", s, t * 1e3,
                        fit.ringTime(n, s) * 1e3, s / t / 1e9, bus, rawBw, bus / rawBw);
            }
        }
    }

    /** One worker: for each size, a warm-up, then the median of timed ring all-reduces between barriers. */
    static void worker(Communicator comm, long[] sizes) {
        RingAllReduce ring = new RingAllReduce();
        INDArray warm = Nd4j.ones(DataType.FLOAT, 256);
        for (int i = 0; i < 300; i++) {      // let the JIT compile the send/receive path before timing
            ring.allReduce(comm, warm);
        }
        for (long bytes : sizes) {
            INDArray a = Nd4j.ones(DataType.FLOAT, bytes / 4);
            int repeats = bytes >= (16 << 20) ? 3 : bytes >= (1 << 20) ? 7 : 25;
            ring.allReduce(comm, a);
            double[] t = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                comm.barrier();
                long t0 = System.nanoTime();
                ring.allReduce(comm, a);
                t[i] = (System.nanoTime() - t0) * 1e-9;
            }
            // the slowest rank decides: take every rank's median to rank 0 and keep the max
            Arrays.sort(t);
            INDArray med = Nd4j.createFromArray(new double[] {t[repeats / 2]});
            if (comm.rank() == 0) {
                double worst = med.getDouble(0);
                for (int r = 1; r < comm.worldSize(); r++) {
                    worst = Math.max(worst, comm.recv(r).getDouble(0));
                }
                System.out.printf(Locale.ROOT, "RESULT %d %.9f%n", bytes, worst);
                System.out.flush();
            } else {
                comm.send(med, 0);
            }
        }
    }
}
