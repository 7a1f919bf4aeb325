package org.bigmodels.exercises.lesson12;

/**
 * Exercise 12.2 (lesson 12-weight-pruning): the gradual pruning schedule of Zhu and Gupta (2017), equation 1:
 * <pre>  s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³   for t0 ≤ t ≤ t0 + n·Δt</pre>
 * s_i before t0 and s_f after t0 + n·Δt. Pruning happens only at t0, t0 + Δt, ..., t0 + n·Δt; between two pruning
 * steps the sparsity in force is that of the last one. The library has it as org.bigmodels.prune.CubicSparsitySchedule
 * (do not call it).
 *
 * <p>Replace the {@code throw}s below with your code, then run {@code ./course grade 12}.
 */
public final class CubicSchedule {
    private CubicSchedule() {
    }

    /** See the exercise. */
    public static double sparsity(double initial, double target, int t0, int n, int dt, int t) {
        if (t <= t0) return initial;
        double span = (double) n * dt;
        if (t >= t0 + span) return target;
        double r = 1 - (t - t0) / span;
        return target + (initial - target) * r * r * r;
    }

    /** See the exercise. */
    public static double inForce(double initial, double target, int t0, int n, int dt, int t) {
        if (t < t0) return initial;
        int k = Math.min(n, (t - t0) / dt);
        return sparsity(initial, target, t0, n, dt, t0 + k * dt);
    }
}
