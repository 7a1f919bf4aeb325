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

    /**
     * @param initial the initial parameters (copied), non-empty and finite
     * @param learningRate finite and &gt; 0
     * @param maxStaleness the bound s &ge; 0, in updates
     * @throws IllegalArgumentException naming the bad argument, what was expected and what was got
     */
    public BoundedStalenessServer(float[] initial, double learningRate, int maxStaleness) {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer(constructor) -- check the arguments"
                + " and keep a COPY of the initial parameters, the learning rate, the bound, a version counter (0),"
                + " a rejected counter and a list for the staleness of each applied push");
    }

    /** A copy of the current parameters and their version, read together. */
    public Pulled pull() {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer.pull -- return a copy of w with its"
                + " version, read together under the same lock as push");
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
    public boolean push(float[] gradient, long pulledVersion) {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer.push -- staleness = updates applied"
                + " since the pull (current version minus pulled version); within the bound: w -= lr·g, version + 1,"
                + " log the staleness; beyond it: count a rejection and change nothing. Pitfall: the check and the"
                + " apply must be ONE atomic step (other threads push at the same time)");
    }

    /** The number of updates applied so far (= accepted pushes). */
    public long version() {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer.version");
    }

    /** The number of pushes rejected as too stale. */
    public long rejected() {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer.rejected");
    }

    /** The staleness of every applied gradient, in the order they were applied (a copy). */
    public int[] appliedStaleness() {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer.appliedStaleness -- a copy of the log,"
                + " in apply order");
    }

    /** A copy of the current parameters. */
    public float[] parameters() {
        throw new UnsupportedOperationException("not implemented yet: BoundedStalenessServer.parameters -- a copy, not the array"
                + " itself");
    }
}
