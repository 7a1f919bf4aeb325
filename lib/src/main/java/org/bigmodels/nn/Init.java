package org.bigmodels.nn;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight initialisation from an explicit, seeded {@link java.util.Random}: a model built twice with the same seed is
 * the same model on every machine and backend (repeatable runs; the DL4J bridge tests rely on it).
 */
public final class Init {
    private Init() {}

    /** A generator for a seed. */
    public static Random rng(long seed) {
        return new Random(seed);
    }

    /** U(-bound, bound). */
    public static INDArray uniform(Random rng, DataType type, double bound, long... shape) {
        double[] v = new double[Math.toIntExact(count(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (2 * rng.nextDouble() - 1) * bound;
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    /** N(0, std^2). */
    public static INDArray normal(Random rng, DataType type, double std, long... shape) {
        double[] v = new double[Math.toIntExact(count(shape))];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * std;
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    /** He (Kaiming) normal for a ReLU layer with fanIn inputs: std = sqrt(2 / fanIn). */
    public static INDArray he(Random rng, DataType type, long fanIn, long... shape) {
        return normal(rng, type, Math.sqrt(2.0 / fanIn), shape);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
