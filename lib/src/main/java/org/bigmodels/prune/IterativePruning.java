package org.bigmodels.prune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Iterative prune-and-retrain (Han et al., "Learning both Weights and Connections for Efficient Neural Networks",
 * NeurIPS 2015, sections 3.3-3.4): prune the weights below a threshold, retrain the rest with the pruned ones held at
 * zero, and repeat with a higher threshold. The threshold of a layer is a quality parameter times the standard
 * deviation of its weights, {@code |w| <= q·σ} is pruned (section 4: "the pruning threshold is chosen as a quality
 * parameter multiplied by the standard deviation of a layer's weights"); σ is measured on the dense weights once,
 * when this object is built (as Distiller's SensitivityPruner does), so a given q means the same threshold every round.
 *
 * <p>Round r of R uses {@code q·r/R}: the threshold grows linearly to its final value, and each round's pruning is
 * small enough for retraining to recover. Masks only grow (a weight pruned stays pruned). To aim at a sparsity rather
 * than at a q, {@link #qualityFor} gives the q that prunes a fraction s of one layer's weights (every layer at s, as
 * layer-wise magnitude pruning), and {@link #globalQuality} the q of every layer such that all the thresholds q·σ are
 * one global magnitude threshold (the layers together at s, as {@link MagnitudePruning#global}; small, sensitive
 * layers such as the output layer lose less). The sparsity reached is close to s but not exactly s: retraining moves
 * the survivors before the last round prunes (measure it with {@link PruningMasks#sparsity()}).
 */
public final class IterativePruning {
    private final PruningMasks masks;
    private final Map<String, Double> quality;
    private final Map<String, Double> sigma = new LinkedHashMap<>();
    private final int rounds;

    /**
     * @param masks   the model's masks (masked names are added as they are pruned)
     * @param quality per weight name, the final quality parameter q &gt; 0 (threshold q·σ)
     * @param rounds  prune-retrain rounds R &ge; 1
     * @throws IllegalArgumentException for an unknown name, q &le; 0 or rounds &lt; 1
     */
    public IterativePruning(PruningMasks masks, Map<String, Double> quality, int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("IterativePruning: expected rounds >= 1, got " + rounds);
        quality.forEach((n, q) -> {
            if (!(q > 0) || Double.isInfinite(q)) {
                throw new IllegalArgumentException("IterativePruning: expected a finite quality parameter > 0 for '"
                        + n + "', got " + q);
            }
            sigma.put(n, std(MagnitudePruning.weight(masks.model(), n).value()));
        });
        this.masks = masks;
        this.quality = new LinkedHashMap<>(quality);
        this.rounds = rounds;
    }

    /** Runs every round: prune at {@link #threshold}(name, r), then {@code retrain.accept(r)} (r = 1..R). */
    public void run(IntConsumer retrain) {
        for (int r = 1; r <= rounds; r++) {
            pruneRound(r);
            retrain.accept(r);
        }
    }

    /** Prunes round r's weights: those with |w| &le; q·(r/R)·σ, on top of the existing masks; applies the masks. */
    public void pruneRound(int r) {
        if (r < 1 || r > rounds) {
            throw new IllegalArgumentException("IterativePruning: expected a round in 1.." + rounds + ", got " + r);
        }
        Module model = masks.model();
        for (String n : quality.keySet()) {
            INDArray w = model.parameter(n).value();
            INDArray keep = thresholdMask(w, threshold(n, r));
            INDArray old = masks.masks().get(n);
            masks.set(n, old == null ? keep : keep.mul(old));
        }
        masks.apply();
    }

    /** The threshold of weight {@code name} in round r: q·(r/R)·σ, with σ of the dense weights. */
    public double threshold(String name, int r) {
        return quality.get(name) * r / rounds * sigma.get(name);
    }

    /** σ of the dense weights of {@code name}, as measured when this object was built. */
    public double sigma(String name) {
        return sigma.get(name);
    }

    /** The mask keeping |w| &gt; threshold (1 kept, 0 pruned), of w's shape and type. */
    public static INDArray thresholdMask(INDArray w, double threshold) {
        return Nd4j.math().abs(w.dup()).gt(threshold).castTo(w.dataType());
    }

    /** The (population) standard deviation of all entries of w, in double. */
    public static double std(INDArray w) {
        double[] v = w.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        return Math.sqrt(ss / v.length);
    }

    /**
     * The quality parameter q for which {@code |w| <= q·σ(w)} prunes a fraction {@code sparsity} of w: the
     * round(s·n)-th smallest |w| divided by σ (0 for s = 0).
     *
     * @throws IllegalArgumentException unless 0 &le; s &lt; 1, or when all the weights are equal (σ = 0)
     */
    public static double qualityFor(INDArray w, double sparsity) {
        MagnitudePruning.checkSparsity(sparsity, "qualityFor");
        double[] v = w.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        int k = (int) Math.round(sparsity * v.length);
        if (k == 0) return 0;
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        java.util.Arrays.sort(a);
        double sigma = std(w);
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("IterativePruning.qualityFor: the weights' standard deviation is "
                    + sigma + " (all " + v.length + " equal), so no threshold q*sigma separates them; Han et al.'s "
                    + "quality parameter needs weights that differ (train the layer first, or use MagnitudePruning.mask)");
        }
        return a[k - 1] / sigma;
    }

    /**
     * Per weight name, the quality parameter q_n for which the thresholds q_n·σ_n of all the named weights equal one
     * global threshold t: the round(s·N)-th smallest |w| among all N weights of {@code names} (t = 0 for s = 0). On
     * the weights given, {@code |w| <= q_n·σ_n} then prunes the same weights as {@link MagnitudePruning#global} at s
     * (when no two |w| tie at t), so an iterative run aims at the same per-layer sparsities as one-shot global pruning.
     *
     * @param model    the model whose current (dense) weights calibrate q
     * @param names    dotted names of the weights pruned together, at least one
     * @param sparsity the global target s, 0 &le; s &lt; 1
     * @return q per name, in the order of {@code names}
     * @throws IllegalArgumentException for an unknown name, no names, s outside [0, 1), or a weight array whose
     *     entries are all equal (σ = 0: no q gives a threshold)
     */
    public static Map<String, Double> globalQuality(Module model, List<String> names, double sparsity) {
        MagnitudePruning.checkSparsity(sparsity, "globalQuality");
        if (names.isEmpty()) throw new IllegalArgumentException("globalQuality: expected at least one weight name, got none");
        List<double[]> values = new java.util.ArrayList<>();
        int total = 0;
        for (String n : names) {
            double[] v = MagnitudePruning.weight(model, n).value().dup('c').castTo(DataType.DOUBLE).data().asDouble();
            values.add(v);
            total += v.length;
        }
        double[] all = new double[total];
        int at = 0;
        for (double[] v : values) {
            for (double x : v) all[at++] = Math.abs(x);
        }
        java.util.Arrays.sort(all);
        int k = (int) Math.round(sparsity * total);
        double t = k == 0 ? 0 : all[k - 1];
        Map<String, Double> out = new LinkedHashMap<>();
        for (String n : names) {
            double sd = std(model.parameter(n).value());
            if (!(sd > 0)) {
                throw new IllegalArgumentException("globalQuality: '" + n + "' has standard deviation " + sd
                        + " (all entries equal), so no quality parameter q gives the threshold q·σ = " + t
                        + "; train the model first or leave that weight out of names");
            }
            out.put(n, t / sd);
        }
        return out;
    }
}
