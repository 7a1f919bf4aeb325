package org.bigmodels.exercises.lesson06;

import java.util.ArrayList;
import java.util.List;

/**
 * Exercise 06.2 (lesson 06-parameter-servers-and-async): the update rule of an asynchronous parameter server with a
 * staleness bound, for one flat parameter vector.
 *
 * <p>The server keeps the parameters w and a version v: the number of updates applied so far. A worker
 * {@link #pull}s (w, v), computes a gradient g on that copy, and {@link #push}es (g, v). Meanwhile other workers'
 * gradients may have been applied: the staleness of the push is the number of updates applied since its pull,
 * {@code version() - pulledVersion}. If it is at most the bound s, the server applies {@code w -= lr·g} (in float,
 * element by element: {@code w[i] = (float) (w[i] - lr·g[i])}), the version grows by one and the staleness is logged;
 * otherwise the push is rejected and nothing changes (the worker should pull again). s = 0 accepts only gradients
 * computed on the current parameters; an unbounded asynchronous server (Downpour SGD, Dean et al. 2012) is s = ∞.
 * The bound is the delay τ of the convergence analyses of asynchronous SGD (Ho et al., NeurIPS 2013; Lian et al.,
 * NeurIPS 2015), here counted in updates.
 *
 * <p>Many workers call {@link #pull} and {@link #push} at the same time: both must be thread-safe, and a push's
 * staleness check and its apply must happen as one atomic step.
 *
 * <p>Replace the {@code throw}s below with your code, then run {@code ./course grade 06}.
 */
public final class BoundedStalenessServer {

    /** What a pull returns: the parameters (a copy) and the version they are. */
    public record Pulled(float[] parameters, long version) {
    }

    private final float[] w;
    private final double learningRate;
    private final int bound;
    private long version;
    private long rejected;
    private final List<Integer> log = new ArrayList<>();

    /**
     * @param initial the initial parameters (copied), non-empty and finite
     * @param learningRate finite and &gt; 0
     * @param maxStaleness the bound s &ge; 0, in updates
     * @throws IllegalArgumentException naming the bad argument, what was expected and what was got
     */
    public BoundedStalenessServer(float[] initial, double learningRate, int maxStaleness) {
        if (initial == null || initial.length == 0) {
            throw new IllegalArgumentException("BoundedStalenessServer: expected non-empty initial parameters, got "
                    + (initial == null ? "null" : "length 0"));
        }
        for (int i = 0; i < initial.length; i++) {
            if (!Float.isFinite(initial[i])) {
                throw new IllegalArgumentException("BoundedStalenessServer: initial[" + i + "] = " + initial[i]
                        + " is not finite");
            }
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("BoundedStalenessServer: expected a finite learning rate > 0, got "
                    + learningRate);
        }
        if (maxStaleness < 0) {
            throw new IllegalArgumentException("BoundedStalenessServer: expected maxStaleness >= 0, got "
                    + maxStaleness);
        }
        this.w = initial.clone();
        this.learningRate = learningRate;
        this.bound = maxStaleness;
    }

    /** A copy of the current parameters and their version, read together. */
    public synchronized Pulled pull() {
        return new Pulled(w.clone(), version);
    }

    /**
     * Applies {@code gradient} if its staleness {@code version() - pulledVersion} is at most the bound.
     *
     * @param gradient float[length], finite; not kept
     * @param pulledVersion the version of the pull the gradient was computed on
     * @return true if applied (once), false if rejected as too stale (nothing changed)
     * @throws IllegalArgumentException for a null gradient, a wrong length, a non-finite element (named), or a
     *     pulledVersion outside [0, version()] (a version the server has not produced yet)
     */
    public synchronized boolean push(float[] gradient, long pulledVersion) {
        if (gradient == null || gradient.length != w.length) {
            throw new IllegalArgumentException("BoundedStalenessServer.push: expected a gradient of length "
                    + w.length + ", got " + (gradient == null ? "null" : "length " + gradient.length));
        }
        for (int i = 0; i < gradient.length; i++) {
            if (!Float.isFinite(gradient[i])) {
                throw new IllegalArgumentException("BoundedStalenessServer.push: gradient[" + i + "] = "
                        + gradient[i] + " is not finite");
            }
        }
        if (pulledVersion < 0 || pulledVersion > version) {
            throw new IllegalArgumentException("BoundedStalenessServer.push: pulledVersion must be in [0, " + version
                    + "] (a version this server produced), got " + pulledVersion);
        }
        long staleness = version - pulledVersion;
        if (staleness > bound) {
            rejected++;
            return false;
        }
        for (int i = 0; i < w.length; i++) w[i] = (float) (w[i] - learningRate * gradient[i]);
        version++;
        log.add((int) staleness);
        return true;
    }

    /** The number of updates applied so far (= accepted pushes). */
    public synchronized long version() {
        return version;
    }

    /** The number of pushes rejected as too stale. */
    public synchronized long rejected() {
        return rejected;
    }

    /** The staleness of every applied gradient, in the order they were applied (a copy). */
    public synchronized int[] appliedStaleness() {
        return log.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A copy of the current parameters. */
    public synchronized float[] parameters() {
        return w.clone();
    }
}
