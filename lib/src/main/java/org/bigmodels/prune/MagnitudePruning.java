package org.bigmodels.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Magnitude pruning: the weights of smallest absolute value are the least important, so a mask at sparsity s keeps
 * all but the {@code round(s·n)} smallest |w| (Han et al., "Learning both Weights and Connections for Efficient Neural
 * Networks", NeurIPS 2015, section 3; Zhu and Gupta 2017 use the same criterion).
 *
 * <p><b>Exact count and ties.</b> A mask at sparsity s over n weights zeroes exactly {@code k = Math.round(s·n)}
 * weights (half rounds up), never "every weight below a threshold", which can remove more or fewer when values repeat.
 * Weights are ranked by |w| ascending; equal |w| are ranked by position (row-major flat index, and for a global mask
 * by the order of the names given, then the index): among ties the earlier one is pruned first. Weights already
 * zero (pruned before) rank first, so pruning again at a higher sparsity keeps them pruned.
 *
 * <p><b>Layer-wise vs global.</b> {@link #layerwise} gives every named weight its own sparsity; {@link #global} ranks
 * all the named weights together and removes the k smallest overall, so layers with small weights lose more.
 * Masks are arrays of 1 (kept) and 0 (pruned) of the weight's shape and type; {@link PruningMasks} applies them.
 */
public final class MagnitudePruning {
    private MagnitudePruning() {}

    /**
     * The mask of {@code w} (any shape) at sparsity s: exactly {@code Math.round(s·n)} zeros at the smallest |w|.
     *
     * @throws IllegalArgumentException unless 0 &le; s &lt; 1 (s = 1 would remove the whole layer)
     */
    /**
     * s &lt; 1 is not enough: round(s·n) can still be n (s = 0.99 over 2 weights), which would remove every weight.
     */
    static void checkNotAll(int k, int n, double sparsity, String what) {
        if (n > 0 && k >= n) {
            throw new IllegalArgumentException("MagnitudePruning." + what + ": sparsity " + sparsity + " over " + n
                    + " weights rounds to removing all " + n + " of them (round(s*n) = " + k + "); expected at most "
                    + (n - 1) + " removed: use a sparsity below " + ((n - 0.5) / n) + " for this size");
        }
    }

    public static INDArray mask(INDArray w, double sparsity) {
        checkSparsity(sparsity, "mask");
        double[] v = w.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        int k = (int) Math.round(sparsity * v.length);
        checkNotAll(k, v.length, sparsity, "mask");
        Integer[] order = rank(v);
        float[] m = new float[v.length];
        Arrays.fill(m, 1f);
        for (int i = 0; i < k; i++) m[order[i]] = 0f;
        return Nd4j.createFromArray(m).reshape('c', w.shape()).castTo(w.dataType());
    }

    /** Indices of v sorted by |v| ascending, ties by index (a stable sort). */
    static Integer[] rank(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(Math.abs(v[a]), Math.abs(v[b]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order;
    }

    /**
     * One mask per named weight, each at its own sparsity (layer-wise pruning).
     *
     * @param sparsityByName dotted parameter names (see {@link Module#namedParameters()}) to sparsities in [0, 1)
     * @throws IllegalArgumentException for an unknown name (the message lists the model's names) or a sparsity
     *     outside [0, 1)
     */
    public static Map<String, INDArray> layerwise(Module model, Map<String, Double> sparsityByName) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        sparsityByName.forEach((name, s) -> {
            checkSparsity(s, "layerwise('" + name + "')");
            out.put(name, mask(weight(model, name).value(), s));
        });
        return out;
    }

    /** Layer-wise masks at the same sparsity for every name. */
    public static Map<String, INDArray> layerwise(Module model, List<String> names, double sparsity) {
        checkSparsity(sparsity, "layerwise");
        Map<String, Double> s = new LinkedHashMap<>();
        for (String n : names) s.put(n, sparsity);
        return layerwise(model, s);
    }

    /**
     * Global magnitude pruning: the {@code Math.round(s·N)} smallest |w| among all N weights of {@code names},
     * wherever they are (ties: earlier name, then earlier index, first).
     *
     * @throws IllegalArgumentException for an unknown name, an empty list or a sparsity outside [0, 1)
     */
    public static Map<String, INDArray> global(Module model, List<String> names, double sparsity) {
        checkSparsity(sparsity, "global");
        if (names.isEmpty()) throw new IllegalArgumentException("global: expected at least one parameter name, got none");
        Map<String, INDArray> weights = new LinkedHashMap<>();
        for (String n : names) weights.put(n, weight(model, n).value());
        return global(weights, sparsity);
    }

    /**
     * Global magnitude masks over any named arrays (engine parameters, a DL4J network's weights, ...): the
     * {@code Math.round(s·N)} smallest |w| among all N entries, ties by map order then index; one mask per name, of
     * that array's shape and type.
     *
     * @throws IllegalArgumentException for an empty map or a sparsity outside [0, 1)
     */
    public static Map<String, INDArray> global(Map<String, INDArray> weightsByName, double sparsity) {
        checkSparsity(sparsity, "global");
        if (weightsByName.isEmpty()) throw new IllegalArgumentException("global: expected at least one weight array, got none");
        List<double[]> values = new ArrayList<>();
        int total = 0;
        for (INDArray w : weightsByName.values()) {
            double[] v = w.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
            values.add(v);
            total += v.length;
        }
        double[] all = new double[total];
        int at = 0;
        for (double[] v : values) {
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        Integer[] order = rank(all);
        int k = (int) Math.round(sparsity * total);
        checkNotAll(k, total, sparsity, "global");
        float[] m = new float[total];
        Arrays.fill(m, 1f);
        for (int i = 0; i < k; i++) m[order[i]] = 0f;
        Map<String, INDArray> out = new LinkedHashMap<>();
        at = 0;
        int i = 0;
        for (var e : weightsByName.entrySet()) {
            INDArray w = e.getValue();
            float[] part = Arrays.copyOfRange(m, at, at + values.get(i++).length);
            at += part.length;
            out.put(e.getKey(), Nd4j.createFromArray(part).reshape('c', w.shape()).castTo(w.dataType()));
        }
        return out;
    }

    /**
     * The names of the model's weight matrices: parameters whose name ends in "weight" and whose rank is 2 (Linear
     * weights, embeddings; not biases, not LayerNorm gains). The usual set to prune.
     */
    public static List<String> weightNames(Module model) {
        List<String> out = new ArrayList<>();
        model.namedParameters().forEach((n, p) -> {
            if (n.endsWith("weight") && p.rank() == 2) out.add(n);
        });
        return out;
    }

    /** The parameter {@code name} of {@code model}, or an error listing the names that exist. */
    static Tensor weight(Module model, String name) {
        Tensor p = model.namedParameters().get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown parameter name '" + name + "' in "
                    + model.getClass().getSimpleName() + "; its weight matrices are " + weightNames(model)
                    + " (all parameters: " + model.namedParameters().keySet() + ")");
        }
        return p;
    }

    static void checkSparsity(double s, String where) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException(where + ": expected a sparsity in [0, 1) (the fraction of weights "
                    + "removed; 1 would remove them all), got " + s);
        }
    }
}
