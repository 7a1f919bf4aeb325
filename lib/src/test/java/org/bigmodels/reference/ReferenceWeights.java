package org.bigmodels.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.nn.Module;
import org.bigmodels.reference.NaiveReference.AttentionWeights;
import org.bigmodels.reference.NaiveReference.BlockWeights;
import org.bigmodels.reference.NaiveReference.GptWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves values between ND4J arrays and the plain Java arrays of {@link NaiveReference}, and gathers a model's named
 * parameters ("blocks.0.attn.qkv.weight", ...) into the reference's weight records. Float arrays are widened to
 * double exactly, so the reference sees the very numbers the engine saw.
 */
final class ReferenceWeights {
    private ReferenceWeights() {}

    /** A rank-1 array as a vector. */
    static double[] vector(INDArray a) {
        require(a, 1);
        return a.castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** A rank-2 array as [rows][cols]. */
    static double[][] matrix(INDArray a) {
        require(a, 2);
        double[] flat = flat(a);
        int rows = (int) a.size(0), cols = (int) a.size(1);
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) System.arraycopy(flat, i * cols, m[i], 0, cols);
        return m;
    }

    /** A rank-3 array [B, T, C] as [B][T][C]. */
    static double[][][] batch(INDArray a) {
        require(a, 3);
        double[] flat = flat(a);
        int b = (int) a.size(0), t = (int) a.size(1), c = (int) a.size(2);
        double[][][] x = new double[b][t][c];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) System.arraycopy(flat, (i * t + j) * c, x[i][j], 0, c);
        }
        return x;
    }

    /** Integer ids [B, T] of any numeric type. */
    static int[][] ids(INDArray a) {
        require(a, 2);
        double[][] m = matrix(a);
        int[][] out = new int[m.length][m[0].length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) out[i][j] = (int) m[i][j];
        }
        return out;
    }

    /** Every element in row-major order, widened to double. */
    static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** Flattens a reference matrix or batch to row-major order. */
    static double[] flat(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }

    static double[] flat(double[][][] x) {
        return Arrays.stream(x).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream).toArray();
    }

    /** Gaussian values N(0, scale^2) of a shape, in the engine's type. */
    static INDArray gaussian(Random rng, DataType type, double scale, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * scale;
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    /** Uniform values in [0, 1) of a shape, in the engine's type. */
    static INDArray uniform(Random rng, DataType type, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble();
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    /**
     * Overwrites every parameter of a model with N(0, scale^2) values, so that no parameter keeps a special value
     * (layer-norm gains of 1 and zero biases would hide a swapped or ignored gain or bias).
     */
    static void randomize(Module model, Random rng, double scale) {
        model.namedParameters().values().forEach(p ->
                p.value().assign(gaussian(rng, p.dataType(), scale, p.shape())));
    }

    /** The model's parameter values by name. */
    static Map<String, INDArray> values(Module model) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> out.put(n, p.value()));
        return out;
    }

    static AttentionWeights attention(Map<String, INDArray> p, String prefix) {
        return new AttentionWeights(matrix(get(p, prefix + "qkv.weight")), vector(get(p, prefix + "qkv.bias")),
                matrix(get(p, prefix + "proj.weight")), vector(get(p, prefix + "proj.bias")));
    }

    static BlockWeights block(Map<String, INDArray> p, String prefix) {
        return new BlockWeights(vector(get(p, prefix + "ln1.weight")), vector(get(p, prefix + "ln1.bias")),
                attention(p, prefix + "attn."), vector(get(p, prefix + "ln2.weight")),
                vector(get(p, prefix + "ln2.bias")), matrix(get(p, prefix + "mlp.0.weight")),
                vector(get(p, prefix + "mlp.0.bias")), matrix(get(p, prefix + "mlp.2.weight")),
                vector(get(p, prefix + "mlp.2.bias")));
    }

    static GptWeights gpt(Map<String, INDArray> p, int nLayer) {
        List<BlockWeights> blocks = new ArrayList<>();
        for (int i = 0; i < nLayer; i++) blocks.add(block(p, "blocks." + i + "."));
        return new GptWeights(matrix(get(p, "wte.weight")), matrix(get(p, "wpe.weight")), blocks,
                vector(get(p, "lnF.weight")), vector(get(p, "lnF.bias")), matrix(get(p, "head.weight")),
                vector(get(p, "head.bias")));
    }

    private static INDArray get(Map<String, INDArray> p, String name) {
        INDArray a = p.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no array named '" + name + "'; have " + p.keySet());
        }
        return a;
    }

    private static void require(INDArray a, int rank) {
        if (a.rank() != rank) {
            throw new IllegalArgumentException("expected a rank-" + rank + " array, got shape "
                    + Arrays.toString(a.shape()));
        }
    }
}
