package org.bigmodels.comm;

/**
 * The α–β (latency–bandwidth, "Hockney") model of communication time: sending one message of m bytes takes
 * α + m·β seconds, where α is the per-message latency in seconds and β the inverse bandwidth in seconds per byte.
 * Computation (the additions of a reduction) is ignored. With it, and the number of messages and bytes each
 * algorithm puts on its critical path, the all-reduce algorithms can be compared for any N and S without running
 * them (Thakur, Rabenseifner &amp; Gropp, "Optimization of collective communication operations in MPICH", IJHPCA
 * 19(1), 2005, §2; Patarasuk &amp; Yuan 2009 for the ring).
 *
 * <p>Closed forms for N workers and S bytes per worker (time in seconds; bytes = what the busiest rank sends):
 * <pre>
 *            time                        bytes sent by the busiest rank
 *   naive    2(N−1)(α + Sβ)              (N−1)·S          (rank 0)
 *   tree     2⌈log2 N⌉(α + Sβ)           ⌈log2 N⌉·S       (rank 0)
 *   ring     2(N−1)(α + (S/N)β)          2(N−1)/N·S       (every rank; exact when N divides the length)
 * </pre>
 * The presets are nominal figures with their assumptions stated; {@link #fit} and {@link LoopbackProbe} give
 * "this machine, measured".
 *
 * @param name        a label for tables and plots
 * @param alpha       latency per message, seconds, &ge; 0
 * @param beta        inverse bandwidth, seconds per byte, &ge; 0
 * @param assumptions where the numbers come from
 */
public record CostModel(String name, double alpha, double beta, String assumptions) {

    public CostModel {
        if (!(alpha >= 0) || !(beta >= 0) || Double.isInfinite(alpha) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("CostModel: expected finite alpha >= 0 s and beta >= 0 s/byte, got alpha "
                    + alpha + ", beta " + beta);
        }
    }

    /** 25 Gb/s Ethernet with TCP: α = 25 µs (kernel TCP stack, one switch hop), β = 1/(25e9/8) s/B at line rate. */
    public static final CostModel ETHERNET_25G = new CostModel("25 Gb/s Ethernet", 25e-6, 8.0 / 25e9,
            "TCP through the kernel, one switch hop, full line rate 3.125 GB/s, no congestion");
    /** 100 Gb/s InfiniBand (EDR/HDR100) with RDMA: α = 2 µs, β = 1/(100e9/8) s/B at line rate. */
    public static final CostModel INFINIBAND_100G = new CostModel("100 Gb/s InfiniBand", 2e-6, 8.0 / 100e9,
            "RDMA verbs, one switch hop, full line rate 12.5 GB/s");
    /** NVLink 3 between A100s: α = 5 µs (a collective kernel's launch and sync), β = 1/300e9 s/B. */
    public static final CostModel NVLINK = new CostModel("NVLink (A100)", 5e-6, 1.0 / 300e9,
            "NVLink 3, 300 GB/s per direction per GPU, NCCL kernel latency of a few microseconds");

    /** Time of one message of {@code bytes} bytes, seconds. */
    public double message(double bytes) {
        return alpha + bytes * beta;
    }

    /** Naive all-reduce (linear reduce to rank 0, linear broadcast): 2(N−1)(α + Sβ) seconds for S bytes. */
    public double naiveTime(int n, double bytes) {
        checkN(n);
        return 2.0 * (n - 1) * message(bytes);
    }

    /** Tree all-reduce (binomial reduce then broadcast): 2⌈log2 N⌉(α + Sβ) seconds. */
    public double treeTime(int n, double bytes) {
        checkN(n);
        return 2.0 * ceilLog2(n) * message(bytes);
    }

    /** Ring all-reduce: 2(N−1)(α + (S/N)β) seconds. */
    public double ringTime(int n, double bytes) {
        checkN(n);
        return 2.0 * (n - 1) * message(bytes / n);
    }

    /** Bytes the busiest rank sends in a naive all-reduce: (N−1)·S. */
    public static double naiveBytes(int n, double bytes) {
        checkN(n);
        return (n - 1) * bytes;
    }

    /** Bytes the busiest rank (rank 0) sends in a tree all-reduce: ⌈log2 N⌉·S. */
    public static double treeBytes(int n, double bytes) {
        checkN(n);
        return ceilLog2(n) * bytes;
    }

    /** Bytes every rank sends in a ring all-reduce: 2(N−1)/N·S. */
    public static double ringBytes(int n, double bytes) {
        checkN(n);
        return 2.0 * (n - 1) / n * bytes;
    }

    /** ⌈log2 n⌉ for n ≥ 1 (0 for n = 1). */
    public static int ceilLog2(int n) {
        checkN(n);
        return n == 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    /**
     * The fit of t = α + m·β to measured (bytes, seconds) pairs by relative least squares (each point weighted by
     * 1/t², so small and large messages count alike): "this machine, measured".
     *
     * @param bytes   message sizes, bytes (at least two distinct)
     * @param seconds measured time of one message of each size, seconds, all &gt; 0
     * @throws IllegalArgumentException for fewer than two points, different lengths, or all sizes equal
     */
    public static CostModel fit(String name, double[] bytes, double[] seconds, String assumptions) {
        if (bytes.length != seconds.length || bytes.length < 2) {
            throw new IllegalArgumentException("CostModel.fit: expected two arrays of the same length >= 2, got "
                    + bytes.length + " and " + seconds.length);
        }
        // relative least squares (weights 1/t^2): sizes span 1 KB..64 MB, so plain least squares would let the
        // largest messages decide alone and leave alpha meaningless
        int k = bytes.length;
        double wsum = 0;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < k; i++) {
            double w = 1.0 / (seconds[i] * seconds[i]);
            wsum += w;
            mx += w * bytes[i];
            my += w * seconds[i];
        }
        mx /= wsum;
        my /= wsum;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < k; i++) {
            double w = 1.0 / (seconds[i] * seconds[i]);
            sxx += w * (bytes[i] - mx) * (bytes[i] - mx);
            sxy += w * (bytes[i] - mx) * (seconds[i] - my);
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("CostModel.fit: all message sizes are equal; measure at least two sizes");
        }
        double beta = Math.max(0, sxy / sxx);
        double alpha = Math.max(0, my - beta * mx);
        return new CostModel(name, alpha, beta, assumptions);
    }

    /** "This machine, measured": a ping-pong over a loopback TCP socket ({@link LoopbackProbe#measure()}), fitted. */
    public static CostModel measuredLoopback() {
        return LoopbackProbe.measure();
    }

    /** Bandwidth 1/β, bytes per second. */
    public double bandwidth() {
        return beta == 0 ? Double.POSITIVE_INFINITY : 1.0 / beta;
    }

    private static void checkN(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("CostModel: expected at least 1 worker, got " + n);
        }
    }

    @Override
    public String toString() {
        return String.format("%s: alpha %.3g s, beta %.3g s/B (%.3g GB/s) [%s]", name, alpha, beta,
                bandwidth() / 1e9, assumptions);
    }
}
