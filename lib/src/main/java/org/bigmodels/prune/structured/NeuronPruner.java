package org.bigmodels.prune.structured;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.bigmodels.train.Checkpoint;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Structured pruning of an {@link MLP}'s hidden neurons, physically: the result is a new, smaller {@code MLP} (a
 * dense model: fewer columns in the layer's W [in, out] and bias, fewer rows in the next layer's W), which trains,
 * saves and loads like any MLP. Removing hidden neuron j of layer "0" of LeNet-300-100 deletes column j of
 * {@code 0.weight} [784, 300], entry j of {@code 0.bias} [300] and row j of {@code 2.weight} [300, 100]; the
 * network's function is then exactly that of the dense network with neuron j zeroed ({@link #masked}), which the
 * tests check. Hidden layers are named as in {@link MLP#namedParameters()}: "0", "2", ... (every Linear but the
 * last). Taught in 13-structured-pruning.
 */
public final class NeuronPruner {
    private NeuronPruner() {}

    /** The names of the Linear layers whose neurons can be pruned: every Linear of the MLP but the output one. */
    public static List<String> prunableLayers(MLP mlp) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i + 1 < mlp.linears().size(); i++) names.add(Integer.toString(2 * i));
        return names;
    }

    /**
     * One score per output neuron of hidden layer {@code layer} (larger = keep).
     *
     * @param x      inputs [N, in] for the data-driven scores (ignored by L1 and L2; may then be null)
     * @param labels class ids [N] for {@link Importance#TAYLOR} (the loss is the mean cross-entropy)
     * @throws IllegalArgumentException for an unknown layer name (the message lists the valid ones), or a
     *                                  data-driven importance without its data
     */
    public static double[] scores(MLP mlp, String layer, Importance importance, INDArray x, INDArray labels) {
        int li = index(mlp, layer);
        Linear lin = mlp.linears().get(li);
        switch (importance) {
            case L1: return UnitSelection.norms(lin.weight().value(), 1, 1);
            case L2: return UnitSelection.norms(lin.weight().value(), 1, 2);
            case MEAN_ACTIVATION: {
                require(x != null, "MEAN_ACTIVATION needs inputs x [N, in]");
                try (var off = Tensor.noGrad()) {
                    INDArray a = hidden(mlp, li, Tensor.of(x.castTo(mlp.dataType()))).value();
                    return Transforms.abs(a, true).mean(0).toDoubleVector();
                }
            }
            case TAYLOR: {
                require(x != null && labels != null, "TAYLOR needs inputs x [N, in] and class ids [N]");
                mlp.zeroGrad();
                Ops.crossEntropy(mlp.forward(x.castTo(mlp.dataType())), labels).backward();
                Linear next = mlp.linears().get(li + 1);
                INDArray wg = next.weight().value().mul(next.weight().grad()); // [hidden, out]
                double[] s = Transforms.abs(wg.sum(1), false).toDoubleVector();
                mlp.zeroGrad();
                return s;
            }
            default: throw new AssertionError(importance);
        }
    }

    /**
     * A new MLP with only the neurons {@code keep} (ascending indices) of hidden layer {@code layer}: its W columns
     * and bias entries, and the next layer's W rows; every other parameter copied.
     *
     * @throws IllegalArgumentException for an unknown layer, or keep empty, unsorted or out of range
     */
    public static MLP prune(MLP mlp, String layer, int[] keep) {
        return prune(mlp, Map.of(layer, keep));
    }

    /** Like {@link #prune(MLP, String, int[])} for several hidden layers at once (layer name -> kept neurons). */
    public static MLP prune(MLP mlp, Map<String, int[]> keep) {
        long[] sizes = mlp.sizes();
        Map<Integer, int[]> byIndex = new LinkedHashMap<>();
        keep.forEach((name, k) -> {
            int li = index(mlp, name);
            UnitSelection.check(k, sizes[li + 1], "layer '" + name + "'");
            byIndex.put(li, k);
        });
        long[] newSizes = sizes.clone();
        byIndex.forEach((li, k) -> newSizes[li + 1] = k.length);
        MLP out = new MLP(newSizes, mlp.activation(), mlp.dataType(), 0);
        for (int i = 0; i < mlp.linears().size(); i++) {
            INDArray w = mlp.linears().get(i).weight().value();
            INDArray b = mlp.linears().get(i).bias().value();
            if (byIndex.containsKey(i)) {               // this layer's outputs: columns of W, entries of b
                w = Slices.take(w, 1, byIndex.get(i));
                b = Slices.take(b, 0, byIndex.get(i));
            }
            if (byIndex.containsKey(i - 1)) {           // the previous layer's removed neurons: rows of W
                w = Slices.take(w, 0, byIndex.get(i - 1));
            }
            out.linears().get(i).weight().value().assign(w);
            out.linears().get(i).bias().value().assign(b);
        }
        return out;
    }

    /**
     * Scores each named hidden layer with {@code importance} and removes the given fraction of its neurons (the
     * lowest-scored), all layers scored on the original model.
     *
     * @param fractions layer name -> fraction of its neurons to remove, in [0, 1)
     * @throws IllegalArgumentException for a fraction outside [0, 1), an unknown layer, or a fraction that would
     *                                  remove every neuron of a layer
     */
    public static MLP prune(MLP mlp, Map<String, Double> fractions, Importance importance, INDArray x,
                            INDArray labels) {
        Map<String, int[]> keep = new LinkedHashMap<>();
        fractions.forEach((name, f) -> keep.put(name, UnitSelection.keep(scores(mlp, name, importance, x, labels),
                f, "layer '" + name + "'")));
        return prune(mlp, keep);
    }

    /**
     * A copy of the MLP, same sizes, with the neurons not in {@code keep} zeroed: their W columns and biases and the
     * next layer's W rows set to 0. The reference a physically pruned model must match (its outputs are the same).
     */
    public static MLP masked(MLP mlp, String layer, int[] keep) {
        int li = index(mlp, layer);
        UnitSelection.check(keep, mlp.sizes()[li + 1], "layer '" + layer + "'");
        MLP out = copy(mlp);
        Slices.zeroOthers(out.linears().get(li).weight().value(), 1, keep);
        Slices.zeroOthers(out.linears().get(li).bias().value(), 0, keep);
        Slices.zeroOthers(out.linears().get(li + 1).weight().value(), 0, keep);
        return out;
    }

    /** A deep copy of the MLP (same sizes, activation, type and weights). */
    public static MLP copy(MLP mlp) {
        MLP out = new MLP(mlp.sizes(), mlp.activation(), mlp.dataType(), 0);
        mlp.namedParameters().forEach((n, p) -> out.parameter(n).value().assign(p.value()));
        return out;
    }

    /**
     * Loads an MLP saved with {@code Checkpoint.save(mlp, file)} whatever its (pruned) sizes: they are read from the
     * shapes of "0.weight", "2.weight", ... in the file.
     *
     * @throws IllegalArgumentException if the file is not such a checkpoint (see {@link Checkpoint#read})
     */
    public static MLP load(Path file, Activation activation) {
        Map<String, INDArray> values = Checkpoint.read(file);
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; values.containsKey(2 * i + ".weight"); i++) {
            INDArray w = values.get(2 * i + ".weight");
            if (i == 0) sizes.add(w.size(0));
            sizes.add(w.size(1));
        }
        if (sizes.size() < 2) {
            throw new IllegalArgumentException("NeuronPruner.load: " + file + " holds no MLP weights \"0.weight\", "
                    + "\"2.weight\", ...; found " + values.keySet());
        }
        MLP out = new MLP(sizes.stream().mapToLong(Long::longValue).toArray(), activation,
                values.get("0.weight").dataType(), 0);
        Checkpoint.load(out, file);
        return out;
    }

    /** The activations after hidden layer {@code li}'s nonlinearity, for inputs x. */
    private static Tensor hidden(MLP mlp, int li, Tensor x) {
        Tensor h = x;
        List<Layer> layers = mlp.layers();
        for (int i = 0; i <= 2 * li + 1; i++) h = layers.get(i).forward(h);
        return h;
    }

    private static int index(MLP mlp, String layer) {
        List<String> names = prunableLayers(mlp);
        int i = names.indexOf(layer);
        if (i < 0) {
            throw new IllegalArgumentException("NeuronPruner: no hidden layer named '" + layer + "'; the prunable "
                    + "layers are " + names + " (the output layer's neurons are the classes and cannot be pruned)");
        }
        return i;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("NeuronPruner: " + message);
    }
}
