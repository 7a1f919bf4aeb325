package org.bigmodels.prune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.bigmodels.nn.Module;
import org.bigmodels.progress.Progress;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pruning sensitivity analysis (Han et al. 2015, figure 6; Distiller's and MIT 6.5940's pruning labs): prune one layer
 * alone, by magnitude, at increasing sparsity, with no retraining, and measure the model's quality; restore the layer
 * and do the next. Layers whose accuracy falls late can be pruned harder. {@link Result#choose} turns the curves into
 * per-layer sparsities: for each layer, the highest sparsity tried whose drop stays within a tolerance.
 */
public final class SensitivityAnalysis {
    private SensitivityAnalysis() {}

    /**
     * The curves: quality (e.g. test accuracy, higher is better) of the model with one layer pruned at each sparsity.
     * The model's weights are restored after each measurement (also when {@code quality} throws).
     *
     * @param names      the weights to analyse, one at a time
     * @param sparsities increasing sparsities in [0, 1)
     * @param quality    measures the model (called (names × sparsities) + 1 times)
     * @throws IllegalArgumentException for an unknown name, a sparsity outside [0, 1) or an empty list
     */
    public static Result run(Module model, List<String> names, double[] sparsities, ToDoubleFunction<Module> quality) {
        if (names.isEmpty() || sparsities.length == 0) {
            throw new IllegalArgumentException("SensitivityAnalysis: expected layer names and sparsities, got "
                    + names.size() + " names and " + sparsities.length + " sparsities");
        }
        for (double s : sparsities) MagnitudePruning.checkSparsity(s, "SensitivityAnalysis");
        for (String n : names) MagnitudePruning.weight(model, n);
        double baseline = quality.applyAsDouble(model);
        Map<String, double[]> curves = new LinkedHashMap<>();
        try (Progress progress = Progress.of("sensitivity", names.size() * sparsities.length)) {
            for (String n : names) {
                INDArray w = model.parameter(n).value();
                INDArray saved = w.dup();
                double[] q = new double[sparsities.length];
                try {
                    for (int i = 0; i < sparsities.length; i++) {
                        w.assign(saved.mul(MagnitudePruning.mask(saved, sparsities[i])));
                        q[i] = quality.applyAsDouble(model);
                        progress.step();
                    }
                } finally {
                    w.assign(saved);
                }
                curves.put(n, q);
            }
        }
        return new Result(baseline, sparsities.clone(), curves);
    }

    /** The quality of the unpruned model, the sparsities tried, and per layer the quality at each sparsity. */
    public record Result(double baseline, double[] sparsities, Map<String, double[]> quality) {
        /**
         * Per layer, the highest sparsity tried whose quality is at least {@code baseline − maxDrop} at it and at
         * every lower sparsity tried (0 if none).
         */
        public Map<String, Double> choose(double maxDrop) {
            Map<String, Double> out = new LinkedHashMap<>();
            quality.forEach((n, q) -> {
                double best = 0;
                for (int i = 0; i < q.length && q[i] >= baseline - maxDrop; i++) best = sparsities[i];
                out.put(n, best);
            });
            return out;
        }
    }
}
