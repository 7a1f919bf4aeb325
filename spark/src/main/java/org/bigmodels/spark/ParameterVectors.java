package org.bigmodels.spark;

import java.util.List;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's parameters (or their gradients) as one flat float vector, in {@link Module#parameters()} order, each
 * tensor row-major: what the driver broadcasts and what a task sends back. Float32 models only.
 */
public final class ParameterVectors {
    private ParameterVectors() {
    }

    /** The number of floats of the model's flat vector. */
    public static int length(Module model) {
        long n = model.parameterCount();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("ParameterVectors: " + n + " parameters do not fit a float[]");
        return (int) n;
    }

    /** A copy of every parameter's value, concatenated. */
    public static float[] values(Module model) {
        float[] out = new float[length(model)];
        int at = 0;
        for (Tensor p : model.parameters()) at = copyOut(p.value(), out, at);
        return out;
    }

    /**
     * A copy of every parameter's gradient, concatenated (a parameter backward did not reach counts as zeros).
     */
    public static float[] gradients(Module model) {
        float[] out = new float[length(model)];
        int at = 0;
        for (Tensor p : model.parameters()) {
            if (p.grad() == null) at += (int) p.value().length();
            else at = copyOut(p.grad(), out, at);
        }
        return out;
    }

    /**
     * Writes {@code flat} into the parameters' values (in place).
     *
     * @throws IllegalArgumentException if flat's length is not the model's parameter count
     */
    public static void load(Module model, float[] flat) {
        check(model, flat);
        int at = 0;
        for (Tensor p : model.parameters()) at = copyIn(flat, at, p.value());
    }

    /**
     * Sets every parameter's gradient to {@code flat}'s slice (replacing what was there): how the driver hands the
     * aggregated gradient to a course optimizer.
     */
    public static void setGradients(Module model, float[] flat) {
        check(model, flat);
        int at = 0;
        for (Tensor p : model.parameters()) {
            INDArray g = Nd4j.create(p.value().dataType(), p.value().shape());
            at = copyIn(flat, at, g);
            p.zeroGrad();
            p.accumulateGrad(g);
        }
    }

    private static void check(Module model, float[] flat) {
        if (flat == null || flat.length != model.parameterCount()) {
            throw new IllegalArgumentException("ParameterVectors: expected " + model.parameterCount()
                    + " floats (the model's parameter count), got " + (flat == null ? "null" : flat.length)
                    + "; was the vector made from another architecture?");
        }
    }

    private static int copyOut(INDArray a, float[] out, int at) {
        float[] v = a.dup('c').data().asFloat();
        System.arraycopy(v, 0, out, at, v.length);
        return at + v.length;
    }

    private static int copyIn(float[] flat, int at, INDArray target) {
        int n = (int) target.length();
        float[] part = new float[n];
        System.arraycopy(flat, at, part, 0, n);
        target.assign(Nd4j.create(part, target.shape(), 'c').castTo(target.dataType()));
        return at + n;
    }

    /** Lists the tensors in flat order, for error messages and tests. */
    static List<Tensor> order(Module model) {
        return model.parameters();
    }
}
