package org.bigmodels.optim;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic gradient descent with optional momentum and weight decay (L2, added to the gradient):
 * {@code g' = g + wd·w;  v = mu·v + g';  w -= lr·v} (PyTorch's form, with v = g' on the first step; with mu = 0 it is
 * plain {@code w -= lr·g'}). Updates are in place, so no array is allocated per step for plain row-major parameters;
 * a parameter or gradient of another layout ('f' order, a strided or transposed view) is updated correctly through a
 * row-major copy.
 *
 * <p>Weight decay follows the same rule as {@link Adam}: the constructors taking a parameter list decay only
 * parameters of rank &ge; 2 (weight matrices, embeddings), never biases or norm parameters
 * ({@link ParamGroup#decayMatricesOnly}); give {@link ParamGroup}s for any other split.
 */
public final class SGD extends AbstractOptimizer {
    private final double momentum;
    private final INDArray[] velocity;

    /**
     * SGD whose weight decay applies to the parameters of rank &ge; 2 only.
     *
     * @throws IllegalArgumentException unless lr &gt; 0, 0 &le; momentum &lt; 1, weightDecay &ge; 0
     */
    public SGD(List<Tensor> params, double lr, double momentum, double weightDecay) {
        this(ParamGroup.decayMatricesOnly(params, weightDecay), lr, momentum);
    }

    /** Plain SGD: no momentum, no weight decay. */
    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0);
    }

    /** SGD with explicit parameter groups, each with its own (L2) weight decay. */
    public SGD(List<ParamGroup> groups, double lr, double momentum) {
        super(groups, lr);
        if (!(lr > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD: expected lr > 0, 0 <= momentum < 1; got lr=" + lr
                    + ", momentum=" + momentum);
        }
        this.momentum = momentum;
        this.velocity = new INDArray[params.size()];
    }

    @Override
    public void step() {
        var blas = Nd4j.getBlasWrapper().level1();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            INDArray g = p.grad();
            if (g == null) continue;
            // the update runs on plain row-major arrays (BLAS walks raw buffers): any other layout is copied in and out
            INDArray w0 = p.value(), w = plain(w0) ? w0 : w0.dup('c');
            if (!plain(g)) g = g.dup('c');
            long n = w.length();
            double wd = weightDecay[i];
            if (momentum != 0) {
                INDArray v = velocity[i];
                if (v == null) {
                    velocity[i] = v = g.dup('c');          // v = g' on the first step
                } else {
                    v.muli(momentum).addi(g);              // v = mu v + g
                }
                if (wd != 0) blas.axpy(n, wd, w, v);       // ... + wd w
                blas.axpy(n, -lr, v, w);                   // w -= lr v
            } else {
                if (wd != 0) w.muli(1 - lr * wd);          // w -= lr (g + wd w), in two in-place parts
                blas.axpy(n, -lr, g, w);
            }
            if (w != w0) w0.assign(w);
        }
    }

    @Override
    Map<String, Double> hyperparameters() {
        return Map.of("momentum", momentum);
    }

    /**
     * {@code "lr"}, {@code "momentum"}, each parameter's {@code "<name>.weight_decay"} (checked on load: a state is
     * refused by an SGD with other hyperparameters) and, for each parameter with a velocity, {@code "<name>.momentum_buffer"} (a copy). */
    @Override
    public Map<String, INDArray> state(Map<String, Tensor> namedParameters) {
        String[] names = namesOf(namedParameters);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(LR_KEY, Nd4j.scalar(DataType.DOUBLE, lr));
        putHyperparameters(out, names);
        for (int i = 0; i < names.length; i++) {
            if (velocity[i] != null) out.put(names[i] + ".momentum_buffer", velocity[i].dup('c'));
        }
        return out;
    }

    @Override
    public void loadState(Map<String, INDArray> state, Map<String, Tensor> namedParameters) {
        String[] names = namesOf(namedParameters);
        Set<String> known = new HashSet<>(List.of(LR_KEY));
        INDArray[] vs = new INDArray[names.length];
        for (int i = 0; i < names.length; i++) {
            known.add(names[i] + ".momentum_buffer");
            vs[i] = slot(state, names[i] + ".momentum_buffer", params.get(i), "SGD");
        }
        checkHyperparameters(state, names, known);
        checkKnownKeys(state, known);
        double newLr = readLr(state);
        for (int i = 0; i < names.length; i++) {
            velocity[i] = vs[i] == null ? null : zerosOf(params.get(i).value()).assign(vs[i]);
        }
        lr = newLr;
    }
}
