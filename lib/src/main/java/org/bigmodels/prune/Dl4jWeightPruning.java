package org.bigmodels.prune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Magnitude weight pruning of a user's own DL4J {@link MultiLayerNetwork}, dense and convolutional: the same masks as
 * {@link MagnitudePruning} (exactly {@code round(s·n)} zeros at the smallest |w|, ties by position; layer-wise or
 * global), computed on the network's weight arrays, applied in place, and kept applied while the network is
 * fine-tuned with DL4J's own {@code fit}.
 *
 * <p>Weights are named as in {@link MultiLayerNetwork#paramTable()}: {@code "<layer index>_W"}, e.g. {@code "0_W"}
 * (a dense layer's [nIn, nOut] matrix, a convolution's [nOut, nIn, kH, kW] kernels). Biases are not pruned.
 *
 * <p><b>Held through fine-tuning.</b> {@link #listener()} is a DL4J {@link TrainingListener}; {@link #attach()} adds it
 * to the network. It multiplies the pruned weights' gradients by the mask once they are computed (so Adam's moments
 * and Nesterov momentum of a pruned weight stay zero) and multiplies the weights by the mask again after every
 * iteration's update (so weight decay or any updater state cannot revive them): between iterations the pruned
 * weights are exactly zero. It is the DL4J counterpart of {@link MaskedOptimizer}.
 *
 * <pre>{@code
 * Dl4jWeightPruning p = Dl4jWeightPruning.global(net, Dl4jWeightPruning.weightNames(net), 0.9);
 * p.apply();      // 90 % of the weights are now exactly zero
 * p.attach();     // and stay zero through net.fit(...)
 * }</pre>
 *
 * Source: Han et al., "Learning both Weights and Connections for Efficient Neural Networks", NeurIPS 2015, section 3.
 */
public final class Dl4jWeightPruning {
    private final MultiLayerNetwork net;
    private final Map<String, INDArray> masks;

    /**
     * Masks for {@code net}, by parameter-table name.
     *
     * @throws IllegalArgumentException for a name the network does not have (the message lists its weights) or a
     *     mask whose shape is not the weight's
     */
    public Dl4jWeightPruning(MultiLayerNetwork net, Map<String, INDArray> masks) {
        this.net = net;
        Map<String, INDArray> m = new LinkedHashMap<>();
        masks.forEach((name, mask) -> {
            INDArray w = weight(net, name);
            if (!java.util.Arrays.equals(w.shape(), mask.shape())) {
                throw new IllegalArgumentException("Dl4jWeightPruning: the mask of '" + name + "' has shape "
                        + java.util.Arrays.toString(mask.shape()) + " but the weight has shape "
                        + java.util.Arrays.toString(w.shape()));
            }
            m.put(name, mask.castTo(w.dataType()));
        });
        this.masks = Collections.unmodifiableMap(m);
    }

    /**
     * The network's prunable weights: the parameter-table entries named {@code <layer>_W} (dense, output and
     * convolutional layers' weights), in layer order.
     */
    public static List<String> weightNames(MultiLayerNetwork net) {
        List<String> out = new ArrayList<>();
        for (String n : net.paramTable().keySet()) if (n.endsWith("_W")) out.add(n);
        return out;
    }

    /**
     * Layer-wise masks: every named weight at its own sparsity.
     *
     * @throws IllegalArgumentException for an unknown name or a sparsity outside [0, 1)
     */
    public static Dl4jWeightPruning layerwise(MultiLayerNetwork net, Map<String, Double> sparsityByName) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        sparsityByName.forEach((name, s) -> {
            MagnitudePruning.checkSparsity(s, "Dl4jWeightPruning.layerwise('" + name + "')");
            m.put(name, MagnitudePruning.mask(weight(net, name), s));
        });
        return new Dl4jWeightPruning(net, m);
    }

    /** Layer-wise masks at the same sparsity for every name. */
    public static Dl4jWeightPruning layerwise(MultiLayerNetwork net, List<String> names, double sparsity) {
        MagnitudePruning.checkSparsity(sparsity, "Dl4jWeightPruning.layerwise");
        Map<String, Double> s = new LinkedHashMap<>();
        for (String n : names) s.put(n, sparsity);
        return layerwise(net, s);
    }

    /**
     * Global masks: the {@code round(s·N)} smallest |w| among all N weights of {@code names} (ties: earlier name,
     * then earlier index, first).
     *
     * @throws IllegalArgumentException for an unknown name, no names, or a sparsity outside [0, 1)
     */
    public static Dl4jWeightPruning global(MultiLayerNetwork net, List<String> names, double sparsity) {
        MagnitudePruning.checkSparsity(sparsity, "Dl4jWeightPruning.global");
        if (names.isEmpty()) throw new IllegalArgumentException("Dl4jWeightPruning.global: expected at least one weight name, got none");
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (String n : names) w.put(n, weight(net, n));
        return new Dl4jWeightPruning(net, MagnitudePruning.global(w, sparsity));
    }

    /** Multiplies every masked weight by its mask, in place in the network's parameters. */
    public void apply() {
        masks.forEach((name, mask) -> net.getParam(name).muli(mask));
    }

    /** Multiplies the masked weights' current gradients by the masks (no-op before a gradient exists). */
    void maskGradients(Model model) {
        var g = model.gradient();
        if (g == null) return;
        Map<String, INDArray> byName = g.gradientForVariable();
        masks.forEach((name, mask) -> {
            INDArray gw = byName.get(name);
            if (gw != null) gw.muli(mask);
        });
    }

    /**
     * A listener that holds the masks through DL4J training: gradients masked when computed, weights masked again
     * after every iteration. Add it with {@code net.addListeners(...)}, or call {@link #attach()}.
     */
    public TrainingListener listener() {
        return new BaseTrainingListener() {
            @Override
            public void onGradientCalculation(Model model) {
                maskGradients(model);
            }

            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                apply();
            }
        };
    }

    /** Applies the masks and adds {@link #listener()} to the network's listeners; returns this. */
    public Dl4jWeightPruning attach() {
        apply();
        net.addListeners(listener());
        return this;
    }

    /** The masks by name (1 kept, 0 pruned), unmodifiable. */
    public Map<String, INDArray> masks() {
        return masks;
    }

    /** Fraction of the masked weights that are pruned, over all masks. */
    public double sparsity() {
        double zeros = 0, n = 0;
        for (INDArray m : masks.values()) {
            n += m.length();
            zeros += m.length() - m.sumNumber().doubleValue();
        }
        return n == 0 ? 0 : zeros / n;
    }

    /** The network's weight {@code name} (a view into its parameters), or an error listing its weights. */
    static INDArray weight(MultiLayerNetwork net, String name) {
        Map<String, INDArray> table = net.paramTable();
        if (!table.containsKey(name)) {
            throw new IllegalArgumentException("Dl4jWeightPruning: unknown weight '" + name + "'; this network's "
                    + "prunable weights are " + weightNames(net) + " (all parameters: " + table.keySet()
                    + "; names are <layer index>_<W|b>)");
        }
        return net.getParam(name);
    }
}
