package org.bigmodels.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Where the wall time of a measured stretch went, from the JVM's own counters: wall time, the CPU time of the calling
 * thread (all the training work with 1 thread), the CPU time of the whole process (the calling thread plus the
 * garbage collector's, the JIT compilers' and any native pool's threads), and the collections (count and summed
 * time) and JIT compilation time in the stretch. When wall time exceeds the thread's CPU time, these say whether the
 * process itself did the rest (GC, JIT, other threads: process CPU above thread CPU) or the thread was waiting for a
 * core (a busy machine: process CPU near thread CPU). {@code start()}, run, {@code stop()}.
 */
public final class Stopwatch {
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    /** One stretch: seconds of wall, thread CPU, process CPU, GC and JIT; the number of collections. */
    public record Reading(double wall, double threadCpu, double processCpu, long collections, double gc, double jit) {
        /** "wall 1.234 s, thread CPU ..., process CPU ..., GC n (x ms), JIT y ms", per {@code per} units. */
        public String describe(int per, String unit) {
            return String.format(Locale.ROOT, "wall %.4f, thread CPU %.4f, process CPU %.4f s/%s; %.2f collections "
                            + "(%.2f ms) and %.2f ms JIT per %s", wall / per, threadCpu / per, processCpu / per, unit,
                    (double) collections / per, 1e3 * gc / per, 1e3 * jit / per, unit);
        }
    }

    private long wall0, thread0, process0, collections0, gc0, jit0;

    private Stopwatch() {}

    /** Reads every counter now. */
    public static Stopwatch start() {
        Stopwatch s = new Stopwatch();
        s.wall0 = System.nanoTime();
        s.thread0 = THREADS.getCurrentThreadCpuTime();
        s.process0 = processCpuNanos();
        long[] g = gc();
        s.collections0 = g[0];
        s.gc0 = g[1];
        s.jit0 = jitMillis();
        return s;
    }

    /** The counters' increase since {@link #start()} (call on the same thread). */
    public Reading stop() {
        long wall = System.nanoTime() - wall0, thread = THREADS.getCurrentThreadCpuTime() - thread0;
        long process = processCpuNanos() - process0, jit = jitMillis() - jit0;
        long[] g = gc();
        return new Reading(wall / 1e9, thread / 1e9, process / 1e9, g[0] - collections0, (g[1] - gc0) / 1e3,
                jit / 1e3);
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** {count, milliseconds} summed over the collectors. */
    private static long[] gc() {
        long n = 0, ms = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[] {n, ms};
    }

    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }
}
