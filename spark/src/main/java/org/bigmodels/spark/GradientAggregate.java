package org.bigmodels.spark;

import java.io.Serializable;

/**
 * What {@code treeAggregate} combines: the example-weighted SUM of the partitions' gradients (each partition adds
 * n_p·ḡ_p, its example count times its mean gradient), the number of examples Σn_p, the weighted loss sum, and the
 * longest task compute time. The global mean gradient is {@code sum / examples}: averaging the partitions' mean
 * gradients with equal weights instead is wrong as soon as partitions hold different numbers of examples (exercise
 * 11.1). Merging is associative and commutative, as treeAggregate requires (float addition only up to rounding).
 */
public final class GradientAggregate implements Serializable {
    private final float[] sum;
    private long examples;
    private double lossSum;
    private long maxComputeNanos;

    /** The zero of the aggregation: a sum of {@code length} zeros over no example. */
    public GradientAggregate(int length) {
        this.sum = new float[length];
    }

    /** One partition's contribution: mean gradient {@code meanGrad} and mean loss over {@code n} examples. */
    public static GradientAggregate ofPartition(float[] meanGrad, long n, double meanLoss, long computeNanos) {
        GradientAggregate a = new GradientAggregate(meanGrad.length);
        for (int i = 0; i < meanGrad.length; i++) a.sum[i] = (float) (meanGrad[i] * (double) n);
        a.examples = n;
        a.lossSum = meanLoss * n;
        a.maxComputeNanos = computeNanos;
        return a;
    }

    /** Adds {@code other} into this (seqOp and combOp of treeAggregate); returns this. */
    public GradientAggregate merge(GradientAggregate other) {
        if (other.sum.length != sum.length) {
            throw new IllegalArgumentException("GradientAggregate: lengths differ (" + sum.length + " vs "
                    + other.sum.length + "): the partitions built different models");
        }
        for (int i = 0; i < sum.length; i++) sum[i] += other.sum[i];
        examples += other.examples;
        lossSum += other.lossSum;
        maxComputeNanos = Math.max(maxComputeNanos, other.maxComputeNanos);
        return this;
    }

    /** Σ n_p·ḡ_p / Σ n_p: the mean gradient over every example of the step. */
    public float[] meanGradient() {
        if (examples == 0) throw new IllegalStateException("GradientAggregate: no example was aggregated");
        float[] m = new float[sum.length];
        for (int i = 0; i < m.length; i++) m[i] = (float) (sum[i] / (double) examples);
        return m;
    }

    /** The mean loss over every example of the step. */
    public double meanLoss() {
        return lossSum / examples;
    }

    public long examples() {
        return examples;
    }

    /** The longest single task's forward+backward time, ns (the step's compute on the critical path). */
    public long maxComputeNanos() {
        return maxComputeNanos;
    }
}
