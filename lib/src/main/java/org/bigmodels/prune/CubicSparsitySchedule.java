package org.bigmodels.prune;

/**
 * The gradual pruning schedule of Zhu and Gupta, "To prune, or not to prune: exploring the efficacy of pruning for
 * model compression" (2017), equation 1: starting at step t0, the sparsity is raised every Δt steps, n times, from
 * s_i to s_f along
 * <pre>  s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³   for t0 ≤ t ≤ t0 + n·Δt</pre>
 * (s_i before t0, s_f after). The cube prunes fast at first, while the network has many redundant weights, and
 * slowly near the end, when fewer remain to absorb the loss. {@link #at} is the formula at any step;
 * {@link #pruningStep} says whether t is one of the n + 1 steps t0, t0 + Δt, ..., t0 + n·Δt where pruning happens
 * (the sparsity in force between them is that of the last pruning step, {@link #inForce}).
 */
public record CubicSparsitySchedule(double initial, double target, int t0, int n, int dt) {
    /**
     * @throws IllegalArgumentException unless 0 &le; initial &le; target &lt; 1, t0 &ge; 0, n &ge; 1, dt &ge; 1
     */
    public CubicSparsitySchedule {
        if (!(initial >= 0 && initial <= target && target < 1) || t0 < 0 || n < 1 || dt < 1) {
            throw new IllegalArgumentException("CubicSparsitySchedule: expected 0 <= initial <= target < 1, t0 >= 0, "
                    + "n >= 1 and dt >= 1, got initial=" + initial + ", target=" + target + ", t0=" + t0 + ", n=" + n
                    + ", dt=" + dt);
        }
        if ((long) t0 + (long) n * dt > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CubicSparsitySchedule: the last pruning step t0 + n*dt = "
                    + ((long) t0 + (long) n * dt) + " does not fit in an int step counter (max " + Integer.MAX_VALUE
                    + "); use fewer pruning steps n or a shorter interval dt");
        }
    }

    /** s_t by equation 1 (s_i before t0, s_f from t0 + n·Δt on). */
    public double at(double t) {
        if (t <= t0) return initial;
        double span = (double) n * dt;
        if (t >= t0 + span) return target;
        double r = 1 - (t - t0) / span;
        return target + (initial - target) * r * r * r;
    }

    /** Whether step t is a pruning step: t0 + k·Δt for k = 0..n. */
    public boolean pruningStep(int t) {
        return t >= t0 && t <= t0 + (long) n * dt && (t - t0) % dt == 0;
    }

    /** The sparsity in force at step t: that of the last pruning step at or before t (s_i before t0). */
    public double inForce(int t) {
        if (t < t0) return initial;
        int k = Math.min(n, (t - t0) / dt);
        return at(t0 + (double) k * dt);
    }

    /** The last step at which the schedule prunes, t0 + n·Δt. */
    public int end() {
        return t0 + n * dt;
    }
}
