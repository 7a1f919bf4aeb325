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

    /** s_t by equation 1 at any step t (s_i before t0, s_f after the end). */
    public static double sparsity(double initial, double target, int t0, int n, int dt, int t) {
        throw new UnsupportedOperationException("not implemented yet: CubicSchedule.sparsity -- the fraction of the "
                + "ramp done is (t − t0)/(n·Δt); the cube of what is left scales (s_i − s_f). Pitfalls: integer "
                + "division in (t − t0)/(n·Δt); clamp before t0 and after t0 + n·Δt");
    }

    /** The sparsity in force at step t: s at the last pruning step t0 + k·Δt &le; t (k &le; n), s_i before t0. */
    public static double inForce(double initial, double target, int t0, int n, int dt, int t) {
        throw new UnsupportedOperationException("not implemented yet: CubicSchedule.inForce -- find the last pruning "
                + "step at or before t (k = (t − t0)/Δt whole steps, at most n) and evaluate the schedule there. "
                + "Pitfall: between pruning steps the sparsity does not change");
    }
}
