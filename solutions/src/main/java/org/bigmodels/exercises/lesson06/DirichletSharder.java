package org.bigmodels.exercises.lesson06;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * Exercise 06.1 (lesson 06-parameter-servers-and-async): non-IID shards with a Dirichlet label skew.
 *
 * <p>For every class c separately, draw the shares of its examples that go to the W workers from a symmetric
 * Dirichlet(alpha, ..., alpha), shuffle the class's examples and cut them in those proportions. Every example goes
 * to exactly one worker. One share p of a W-dimensional symmetric Dirichlet has mean 1/W and variance
 * (W-1) / (W²(W·alpha + 1)): large alpha gives every worker about 1/W of every class (IID); small alpha gives each
 * class almost entirely to one worker. A Dirichlet draw is W independent Gamma(alpha, 1) draws divided by their sum
 * (commons-math3's {@code GammaDistribution} samples Gamma). Source: Hsu, Qi and Brown 2019, section 3; the per-class
 * form of Yurochkin et al., ICML 2019. The library's version is {@code org.bigmodels.dataparallel.LabelSkewShards}.
 *
 * <p>Replace the {@code throw}s below with your code, then run {@code ./course grade 06}.
 */
public final class DirichletSharder {

    private DirichletSharder() {
    }

    /**
     * Dirichlet label-skewed shards.
     *
     * @param labels class index (&ge; 0) of each example; left unchanged
     * @param workers W &ge; 1, at most labels.length
     * @param alpha the concentration, finite and &gt; 0
     * @param seed the same seed gives the same shards
     * @return W arrays of example indices (a worker's may be empty when alpha is small) that together hold every index
     *     of [0, labels.length) exactly once
     * @throws IllegalArgumentException for null labels, W &lt; 1, W &gt; labels.length, alpha not finite or &le; 0, or
     *     a negative label; the message says what was expected and what was got
     */
    public static int[][] partition(int[] labels, int workers, double alpha, long seed) {
        List<List<Integer>> byClass = checkAndGroup(labels, workers);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("DirichletSharder: expected a finite alpha > 0, got " + alpha);
        }
        Random shuffler = new Random(seed);
        GammaDistribution gamma = new GammaDistribution(new Well19937c(seed), alpha, 1.0);
        List<List<Integer>> shards = new ArrayList<>();
        for (int w = 0; w < workers; w++) shards.add(new ArrayList<>());
        for (List<Integer> members : byClass) {
            if (members.isEmpty()) continue;
            List<Integer> shuffled = new ArrayList<>(members);
            Collections.shuffle(shuffled, shuffler);
            double[] share = new double[workers];
            double total = 0;
            for (int w = 0; w < workers; w++) total += share[w] = gamma.sample();
            if (!(total > 0) || Double.isInfinite(total)) { // every gamma draw underflowed: the alpha -> 0 limit
                share = new double[workers];
                share[shuffler.nextInt(workers)] = 1;
                total = 1;
            }
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
        return toArrays(shards);
    }

    /**
     * The extreme of label skew: the classes present, in increasing order, dealt to the workers in turn (class
     * number k of them to worker k mod W), so with W = number of classes every worker holds exactly one class.
     *
     * @throws IllegalArgumentException as {@link #partition}, and when fewer classes are present than workers
     */
    public static int[][] oneClassPerWorker(int[] labels, int workers) {
        List<List<Integer>> byClass = checkAndGroup(labels, workers);
        List<List<Integer>> shards = new ArrayList<>();
        for (int w = 0; w < workers; w++) shards.add(new ArrayList<>());
        int present = 0;
        for (List<Integer> members : byClass) {
            if (!members.isEmpty()) shards.get(present++ % workers).addAll(members);
        }
        if (present < workers) {
            throw new IllegalArgumentException("DirichletSharder.oneClassPerWorker: expected at least as many classes "
                    + "as workers, got " + present + " classes for " + workers + " workers");
        }
        return toArrays(shards);
    }

    private static List<List<Integer>> checkAndGroup(int[] labels, int workers) {
        if (labels == null) throw new IllegalArgumentException("DirichletSharder: expected labels, got null");
        if (workers < 1) throw new IllegalArgumentException("DirichletSharder: expected workers >= 1, got " + workers);
        if (workers > labels.length) {
            throw new IllegalArgumentException("DirichletSharder: expected at most " + labels.length
                    + " workers (one per example), got " + workers);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("DirichletSharder: expected labels >= 0, got " + labels[i]
                        + " at example " + i);
            }
            while (byClass.size() <= labels[i]) byClass.add(new ArrayList<>());
            byClass.get(labels[i]).add(i);
        }
        return byClass;
    }

    private static int[][] toArrays(List<List<Integer>> shards) {
        int[][] out = new int[shards.size()][];
        for (int w = 0; w < out.length; w++) out[w] = shards.get(w).stream().mapToInt(Integer::intValue).sorted().toArray();
        return out;
    }
}
