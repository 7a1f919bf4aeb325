package org.bigmodels.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reuses the arrays of one training step in the next.
 *
 * <p>Why: creating an ND4J array costs tens of microseconds whatever its size (native allocation, shape
 * descriptors, deallocator bookkeeping), and an engine step creates dozens of them. Every step of a training loop
 * asks for the same shapes in the same order, so the arrays of step n can serve step n+1. While an arena is open on
 * a thread, the engine's ops take their results and gradients from it; on the next {@link #open()} the same arrays
 * are handed out again, so a steady training loop allocates nothing. The {@link org.bigmodels.train.Trainer} opens
 * one per step; measured in 03-mlp-mnist and the LeNet benchmark.
 *
 * <p>The rule: an array made while an arena was open is valid until the arena is opened again. Keep a value across
 * steps with {@link Tensor#detach()} (a copy made outside the arena) or {@code INDArray.dup()}: an {@link Ops} result
 * kept from one Trainer step to the next (a teacher's targets computed once) is otherwise overwritten by a later
 * step's arrays. The Trainer records plain numbers. Outside an open arena ops allocate normally.
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Arena> ACTIVE = new ThreadLocal<>();

    private record Key(DataType type, long[] shape) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.type == type && Arrays.equals(k.shape, shape);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(shape);
        }
    }

    private final Map<Key, List<INDArray>> pools = new HashMap<>();
    private final Map<Key, int[]> handedOut = new HashMap<>();
    // Java float arrays for the engine's loops (RowKernels, FusedAttention, Loops), pooled by length like the arrays
    private final Map<Integer, List<float[]>> floatPools = new HashMap<>();
    private final Map<Integer, int[]> floatsHandedOut = new HashMap<>();
    private final Map<Integer, List<double[]>> doublePools = new HashMap<>();
    private final Map<Integer, int[]> doublesHandedOut = new HashMap<>();
    private long heapBytes;
    private Arena previous;
    private boolean open;
    private long bytes;

    /** Activates this arena on the current thread; arrays it handed out before may now be handed out again. */
    public Arena open() {
        if (open) {
            throw new IllegalStateException("Arena: already open; close it before opening it again");
        }
        handedOut.values().forEach(c -> c[0] = 0);
        floatsHandedOut.values().forEach(c -> c[0] = 0);
        doublesHandedOut.values().forEach(c -> c[0] = 0);
        previous = ACTIVE.get();
        ACTIVE.set(this);
        open = true;
        return this;
    }

    @Override
    public void close() {
        if (open) {
            ACTIVE.set(previous);
            previous = null;
            open = false;
        }
    }

    /** Bytes of ND4J arrays held for reuse (native memory). */
    public long bytes() {
        return bytes;
    }

    /** Bytes of Java float arrays held for reuse by the engine's loops (on the JVM heap). */
    public long heapBytes() {
        return heapBytes;
    }

    /** Arrays held for reuse. */
    public int arrays() {
        return pools.values().stream().mapToInt(List::size).sum();
    }

    /**
     * An array of the given type and shape whose contents are undefined: from the open arena if there is one,
     * else newly allocated. Callers overwrite every element.
     */
    static INDArray alloc(DataType type, long... shape) {
        Arena a = ACTIVE.get();
        return a == null ? Nd4j.createUninitialized(type, shape) : a.take(type, shape);
    }

    /**
     * A Java float array of length n whose contents are undefined, for the engine's loops: from the open arena if
     * there is one (so a steady training loop allocates no Java arrays either, and the garbage collector has nothing
     * to collect), else new. The same rule as {@link #alloc}: valid until the arena is opened again.
     */
    static float[] floats(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new float[n] : a.takeFloats(n);
    }

    private static final ThreadLocal<Map<Long, float[]>> SCRATCH = ThreadLocal.withInitial(HashMap::new);

    /**
     * A Java float array of length n for a value that dies within one kernel call (a copy of an input read once, a
     * result about to be written into an ND4J array): one per thread, slot and length, valid until the next call
     * with the same slot and length. Unlike {@link #floats}, nothing accumulates over a step, so the heap holds one
     * array per (slot, length) instead of one per use.
     */
    static float[] scratch(int slot, int n) {
        return SCRATCH.get().computeIfAbsent(((long) slot << 32) | n, k -> new float[n]);
    }

    /** {@link #floats} for doubles (the losses' and the float64 loops' work arrays). */
    static double[] doubles(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new double[n] : a.takeDoubles(n);
    }

    /** Whether an arena is open on this thread. */
    public static boolean active() {
        return ACTIVE.get() != null;
    }

    private float[] takeFloats(int n) {
        List<float[]> pool = floatPools.computeIfAbsent(n, k -> new ArrayList<>());
        int[] used = floatsHandedOut.computeIfAbsent(n, k -> new int[1]);
        if (used[0] == pool.size()) {
            pool.add(new float[n]);
            heapBytes += 4L * n;
        }
        return pool.get(used[0]++);
    }

    private double[] takeDoubles(int n) {
        List<double[]> pool = doublePools.computeIfAbsent(n, k -> new ArrayList<>());
        int[] used = doublesHandedOut.computeIfAbsent(n, k -> new int[1]);
        if (used[0] == pool.size()) {
            pool.add(new double[n]);
            heapBytes += 8L * n;
        }
        return pool.get(used[0]++);
    }

    private INDArray take(DataType type, long[] shape) {
        Key key = new Key(type, shape.clone());
        List<INDArray> pool = pools.computeIfAbsent(key, k -> new ArrayList<>());
        int[] used = handedOut.computeIfAbsent(key, k -> new int[1]);
        if (used[0] == pool.size()) {
            INDArray fresh = Nd4j.createUninitialized(type, shape);
            pool.add(fresh);
            bytes += fresh.length() * type.width();
        }
        return pool.get(used[0]++);
    }
}
