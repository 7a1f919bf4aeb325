package org.bigmodels.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The masks of a pruned model: for some of its parameters (by dotted name), an array of 1 (kept) and 0 (pruned) of
 * the parameter's shape. {@link #apply()} zeroes the pruned weights; {@link #maskGradients()} zeroes their
 * gradients. Fine-tuning keeps them pruned through a {@link MaskedOptimizer}. Mutable: {@link #set} replaces a mask
 * (iterative and gradual pruning raise the sparsity step by step).
 */
public final class PruningMasks {
    private final Module model;
    private final Map<String, INDArray> masks = new LinkedHashMap<>();

    /** No masks yet on {@code model}. */
    public PruningMasks(Module model) {
        if (model == null) throw new IllegalArgumentException("PruningMasks: expected a model, got null");
        this.model = model;
    }

    /** The given masks on {@code model} (see {@link #set}). */
    public PruningMasks(Module model, Map<String, INDArray> masks) {
        this(model);
        masks.forEach(this::set);
    }

    /**
     * Sets (or replaces) the mask of parameter {@code name}; does not apply it (call {@link #apply()}).
     *
     * @throws IllegalArgumentException for an unknown name or a mask whose shape is not the parameter's
     */
    public PruningMasks set(String name, INDArray mask) {
        Tensor p = MagnitudePruning.weight(model, name);
        if (!java.util.Arrays.equals(p.shape(), mask.shape())) {
            throw new IllegalArgumentException("PruningMasks.set('" + name + "'): expected a mask of the parameter's "
                    + "shape " + java.util.Arrays.toString(p.shape()) + ", got " + java.util.Arrays.toString(mask.shape()));
        }
        double[] v = mask.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 1) {
                throw new IllegalArgumentException("PruningMasks.set('" + name + "'): a mask holds 0 (pruned) or 1 "
                        + "(kept) only; element " + i + " is " + v[i] + " (build masks with MagnitudePruning.mask, or "
                        + "threshold yours with w.gt(t))");
            }
        }
        masks.put(name, mask.castTo(p.dataType()).dup('c'));
        return this;
    }

    /** Sets every mask of {@code byName}. */
    public PruningMasks setAll(Map<String, INDArray> byName) {
        byName.forEach(this::set);
        return this;
    }

    /** Zeroes the pruned weights, in place. */
    public void apply() {
        masks.forEach((n, m) -> model.parameter(n).value().muli(m));
    }

    /** Zeroes the gradients of the pruned weights, in place (parameters without a gradient are skipped). */
    public void maskGradients() {
        masks.forEach((n, m) -> {
            INDArray g = model.parameter(n).grad();
            if (g != null) g.muli(m);
        });
    }

    /** The masked parameter names, in the order set. */
    public List<String> names() {
        return List.copyOf(masks.keySet());
    }

    /** The masks by name (read-only view; the arrays are the live masks). */
    public Map<String, INDArray> masks() {
        return Collections.unmodifiableMap(masks);
    }

    /** The model these masks belong to. */
    public Module model() {
        return model;
    }

    /** Pruned (mask 0) entries of {@code name}. */
    public long pruned(String name) {
        INDArray m = masks.get(name);
        if (m == null) throw new IllegalArgumentException("no mask for '" + name + "'; masked names are " + masks.keySet());
        return m.length() - m.sumNumber().longValue();
    }

    /** The fraction of {@code name}'s weights that are pruned. */
    public double sparsity(String name) {
        return pruned(name) / (double) masks.get(name).length();
    }

    /** The fraction of {@code name}'s weights that are kept (1 − sparsity), Han et al.'s table's figure. */
    public double keptFraction(String name) {
        return 1 - sparsity(name);
    }

    /** The fraction pruned over all masked parameters together. */
    public double sparsity() {
        long pruned = 0, total = 0;
        for (String n : masks.keySet()) {
            pruned += pruned(n);
            total += masks.get(n).length();
        }
        return total == 0 ? 0 : pruned / (double) total;
    }

    /** Counts the weights of {@code name} that are exactly zero in the model now (a check that the mask holds). */
    public long zerosInWeights(String name) {
        INDArray w = model.parameter(name).value();
        return w.length() - w.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
    }
}
