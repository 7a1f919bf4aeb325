package org.bigmodels.dataparallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * Non-IID shards: a partition of a labelled dataset over workers in which each worker's label distribution differs
 * from the global one, as happens when data stays where it was collected (federated learning) — the case where data
 * parallelism trains worse, measured in 06-parameter-servers-and-async.
 *
 * <p>{@link #dirichlet}: for every class c, the shares of its examples going to the W workers are drawn from a
 * symmetric Dirichlet(α, ..., α), and the class's (shuffled) examples are cut in those proportions. Large α gives
 * near-IID shards (every share close to 1/W; α → ∞ is IID), small α gives each class mostly to one worker. The
 * variance of one share is (W−1) / (W²(Wα+1)) (the Dirichlet's). This is the label-skew partition of Hsu, Qi and
 * Brown, "Measuring the effects of non-identical data distribution for federated visual classification", 2019,
 * section 3, in the per-class form of Yurochkin et al., "Bayesian nonparametric federated learning of neural
 * networks", ICML 2019 (every example is placed exactly once). {@link #oneClassPerWorker} is the extreme.
 *
 * <p>Results are index lists, one per worker, each sorted ascending; every index of the dataset is in exactly one.
 */
public final class LabelSkewShards {
    private LabelSkewShards() {
    }

    /**
     * Dirichlet label-skewed shards. Draws again (up to 1000 times, deterministically) while some worker would get no
     * example at all.
     *
     * @param labels  class index of each example, in [0, classes)
     * @param workers W >= 1, at most labels.length
     * @param alpha   the Dirichlet concentration, > 0 (0.1: strongly skewed; 100: almost IID)
     * @param seed    the seed: the same seed gives the same shards
     * @return W sorted index lists that partition [0, labels.length)
     * @throws IllegalArgumentException for W < 1, more workers than examples, alpha <= 0 or non-finite, a negative label,
     *                                  or when no draw in 1000 gives every worker an example (raise alpha)
     */
    public static int[][] dirichlet(int[] labels, int workers, double alpha, long seed) {
        checkWorkers(labels, workers);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LabelSkewShards.dirichlet: expected a finite alpha > 0 (small = skewed, "
                    + "large = IID), got " + alpha);
        }
        List<List<Integer>> byClass = byClass(labels);
        Well19937c rng = new Well19937c(seed);
        Random shuffler = new Random(seed);
        GammaDistribution gamma = new GammaDistribution(rng, alpha, 1.0);
        for (int attempt = 0; attempt < 1000; attempt++) {
            List<List<Integer>> shards = new ArrayList<>();
            for (int w = 0; w < workers; w++) shards.add(new ArrayList<>());
            for (List<Integer> members : byClass) {
                if (members.isEmpty()) continue;
                List<Integer> shuffled = new ArrayList<>(members);
                java.util.Collections.shuffle(shuffled, shuffler);
                double[] share = new double[workers];
                double total = 0;
                for (int w = 0; w < workers; w++) total += share[w] = gamma.sample(); // Dirichlet = normalised gammas
                // cut at rounded cumulative shares: the counts add up to the class size exactly
                double cumulative = 0;
                int from = 0;
                for (int w = 0; w < workers; w++) {
                    cumulative += share[w] / total;
                    int to = w == workers - 1 ? shuffled.size() : (int) Math.round(cumulative * shuffled.size());
                    to = Math.max(from, Math.min(shuffled.size(), to));
                    shards.get(w).addAll(shuffled.subList(from, to));
                    from = to;
                }
            }
            if (shards.stream().noneMatch(List::isEmpty)) return sorted(shards);
        }
        throw new IllegalArgumentException("LabelSkewShards.dirichlet: with alpha = " + alpha + ", " + workers
                + " workers and " + labels.length + " examples, 1000 draws all left a worker without examples; "
                + "raise alpha or use fewer workers");
    }

    /**
     * The extreme of label skew: worker w gets every example of the classes c with c mod W = w (with W = number of
     * classes, one class each). Needs at least as many classes present as workers.
     *
     * @throws IllegalArgumentException for W < 1, more workers than examples, a negative label, or fewer classes than
     *                                  workers (some worker would get nothing)
     */
    public static int[][] oneClassPerWorker(int[] labels, int workers) {
        checkWorkers(labels, workers);
        List<List<Integer>> byClass = byClass(labels);
        List<List<Integer>> shards = new ArrayList<>();
        for (int w = 0; w < workers; w++) shards.add(new ArrayList<>());
        int present = 0;
        for (List<Integer> members : byClass) {
            if (!members.isEmpty()) shards.get(present++ % workers).addAll(members);
        }
        if (present < workers) {
            throw new IllegalArgumentException("LabelSkewShards.oneClassPerWorker: expected at least as many classes "
                    + "as workers, got " + present + " classes for " + workers + " workers");
        }
        return sorted(shards);
    }

    /** counts[w][c]: examples of class c in shard w (classes = max label + 1). */
    public static int[][] labelCounts(int[][] shards, int[] labels) {
        int classes = Arrays.stream(labels).max().orElse(-1) + 1;
        int[][] counts = new int[shards.length][classes];
        for (int w = 0; w < shards.length; w++) for (int i : shards[w]) counts[w][labels[i]]++;
        return counts;
    }

    private static void checkWorkers(int[] labels, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("LabelSkewShards: expected at least 1 worker, got " + workers);
        }
        if (workers > labels.length) {
            throw new IllegalArgumentException("LabelSkewShards: more workers (" + workers + ") than examples ("
                    + labels.length + "); use at most " + labels.length + " workers");
        }
    }

    private static List<List<Integer>> byClass(int[] labels) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c < 0) {
                throw new IllegalArgumentException("LabelSkewShards: expected class indices >= 0, got " + c
                        + " at example " + i);
            }
            while (byClass.size() <= c) byClass.add(new ArrayList<>());
            byClass.get(c).add(i);
        }
        return byClass;
    }

    private static int[][] sorted(List<List<Integer>> shards) {
        int[][] out = new int[shards.size()][];
        for (int w = 0; w < out.length; w++) {
            out[w] = shards.get(w).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return out;
    }
}
