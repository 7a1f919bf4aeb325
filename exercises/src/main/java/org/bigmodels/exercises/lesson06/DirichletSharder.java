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
        throw new UnsupportedOperationException("not implemented yet: DirichletSharder.partition -- group the example indices by"
                + " class; for EACH class draw W shares from Dirichlet(alpha) (W Gamma(alpha, 1) draws over their sum),"
                + " shuffle the class's examples and cut them at the rounded cumulative shares. Use generators seeded"
                + " from `seed`. Pitfalls: rounding each share separately loses or duplicates examples (cut at"
                + " cumulative positions, the last worker takes the rest); one draw shared by all classes is IID;"
                + " tiny alpha can make every Gamma draw 0");
    }

    /**
     * The extreme of label skew: the classes present, in increasing order, dealt to the workers in turn (class
     * number k of them to worker k mod W), so with W = number of classes every worker holds exactly one class.
     *
     * @throws IllegalArgumentException as {@link #partition}, and when fewer classes are present than workers
     */
    public static int[][] oneClassPerWorker(int[] labels, int workers) {
        throw new UnsupportedOperationException("not implemented yet: DirichletSharder.oneClassPerWorker -- deal whole classes"
                + " (those that occur) to the workers in turn. Pitfall: with fewer classes than workers some worker"
                + " gets nothing: refuse that with a message");
    }
}
