package org.bigmodels.prune.structured;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which units to keep: the ones left after removing the given fraction of lowest-scored units, and the per-unit
 * weight norms the scores often are. Used by every structured pruner of this package (MLP neurons, GPT heads and
 * channels, DL4J neurons and filters).
 */
public final class UnitSelection {
    private UnitSelection() {}

    /**
     * The indices to keep, ascending, after removing {@code round(fraction · n)} of the n units with the lowest
     * scores (ties: the lower index is removed first, so the result is deterministic).
     *
     * @param scores   one score per unit, larger = more important, all finite
     * @param fraction the fraction of units to remove, in [0, 1)
     * @param what     the layer's name for error messages ("layer 0", "block 2 heads")
     * @throws IllegalArgumentException if fraction is outside [0, 1), a score is not finite, or the rounding would
     *                                  remove every unit of the layer (lower the fraction)
     */
    public static int[] keep(double[] scores, double fraction, String what) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException(what + ": the fraction of units to remove must be in [0, 1), got "
                    + fraction);
        }
        int remove = (int) Math.round(fraction * scores.length);
        return keepTop(scores, scores.length - remove, what);
    }

    /**
     * The indices (ascending) of the {@code count} highest-scored units.
     *
     * @throws IllegalArgumentException if count is not in [1, n] (keeping no unit would cut the network in two) or a
     *                                  score is not finite
     */
    public static int[] keepTop(double[] scores, int count, String what) {
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException(what + ": score of unit " + i + " is " + scores[i]
                        + "; scores must be finite");
            }
        }
        if (count < 1) {
            throw new IllegalArgumentException(what + ": pruning would remove all " + scores.length
                    + " units of the layer, which disconnects the network; keep at least one (lower the fraction)");
        }
        if (count > scores.length) {
            throw new IllegalArgumentException(what + ": cannot keep " + count + " of " + scores.length + " units");
        }
        Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(i -> -i));
        int[] kept = new int[count];
        for (int i = 0; i < count; i++) kept[i] = order[i];
        Arrays.sort(kept);
        return kept;
    }

    /**
     * Checks that {@code keep} is a strictly increasing list of indices in [0, n) with at least one entry.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void check(int[] keep, long n, String what) {
        if (keep == null || keep.length == 0) {
            throw new IllegalArgumentException(what + ": keeping no unit would remove all " + n
                    + " units of the layer; keep at least one");
        }
        for (int i = 0; i < keep.length; i++) {
            if (keep[i] < 0 || keep[i] >= n || (i > 0 && keep[i] <= keep[i - 1])) {
                throw new IllegalArgumentException(what + ": expected strictly increasing unit indices in [0, " + n
                        + "), got " + Arrays.toString(keep));
            }
        }
    }

    /**
     * The Lp norm (p = 1 or 2) of each slice {@code w[..., j, ...]} along {@code axis}: one value per unit, over all
     * the other axes. A neuron of a W [in, out] is axis 1; a filter of a DL4J kernel [out, in, kH, kW] is axis 0.
     */
    public static double[] norms(INDArray w, int axis, int p) {
        int[] others = IntStream.range(0, w.rank()).filter(a -> a != axis).toArray();
        INDArray r = p == 1 ? w.norm1(others) : w.norm2(others);
        return r.reshape(r.length()).toDoubleVector();
    }
}
