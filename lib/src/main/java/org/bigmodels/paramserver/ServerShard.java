package org.bigmodels.paramserver;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One shard of a {@link ParameterServer}: the parameters assigned to it (whole tensors; sharding is by parameter),
 * a version counting the updates applied to it, and a lock. Shards are locked independently, so pushes from
 * different workers update different shards at the same time, as the server machines of Downpour SGD and of Li et
 * al.'s parameter server (OSDI 2014) do.
 */
final class ServerShard {
    final int index;
    /** The global indices of the parameters this shard holds. */
    final int[] params;
    /** values[j] is parameter params[j] (float[length]). */
    private final float[][] values;
    private long version;
    private final ReentrantLock lock = new ReentrantLock();

    ServerShard(int index, int[] params, float[][] initial) {
        this.index = index;
        this.params = params.clone();
        this.values = new float[params.length][];
        for (int j = 0; j < params.length; j++) values[j] = initial[params[j]].clone();
    }

    /** Copies this shard's parameters into {@code out[param]} (globally indexed) and returns the version read. */
    long read(float[][] out) {
        lock.lock();
        try {
            for (int j = 0; j < params.length; j++) out[params[j]] = values[j].clone();
            return version;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies {@code w -= delta} to this shard's parameters (delta globally indexed, in parameter units, already
     * multiplied by the learning rate) and returns the version before this update; the version then grows by one.
     */
    long apply(double[][] delta) {
        lock.lock();
        try {
            for (int j = 0; j < params.length; j++) {
                float[] w = values[j];
                double[] d = delta[params[j]];
                for (int i = 0; i < w.length; i++) w[i] = (float) (w[i] - d[i]);
            }
            return version++;
        } finally {
            lock.unlock();
        }
    }

    /** The number of updates applied so far. */
    long version() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }
}
