package org.bigmodels.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every optimizer keeps: the parameters it updates (flattened from its groups), each one's weight decay, and the
 * current learning rate; and the checks shared by {@link #loadState}.
 */
abstract class AbstractOptimizer implements Optimizer {
    static final String LR_KEY = "lr";

    protected final List<Tensor> params;
    /** weightDecay[i] is the decay of params.get(i), from its group. */
    protected final double[] weightDecay;
    private final List<ParamGroup> groups;
    protected double lr;

    AbstractOptimizer(List<ParamGroup> groups, double lr) {
        this.groups = List.copyOf(groups);
        this.params = new ArrayList<>();
        List<Double> decays = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (!seen.add(p)) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter "
                            + describe(p, params.size()) + " is given twice (in one group or two); each parameter "
                            + "must appear once, or it is updated twice per step");
                }
                params.add(p);
                decays.add(g.weightDecay());
            }
        }
        this.weightDecay = decays.stream().mapToDouble(Double::doubleValue).toArray();
        this.lr = lr;
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    static String describe(Tensor p, int index) {
        return "#" + index + (p.name() != null ? " ('" + p.name() + "')" : "") + " " + Arrays.toString(p.shape());
    }

    /** The dotted path of each of this optimizer's parameters in {@code named}, or a clear error. */
    String[] namesOf(Map<String, Tensor> named) {
        Map<Tensor, String> byTensor = new IdentityHashMap<>();
        named.forEach((n, t) -> byTensor.put(t, n));
        String[] out = new String[params.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = byTensor.get(params.get(i));
            if (out[i] == null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter "
                        + describe(params.get(i), i) + " is not among the model's named parameters "
                        + named.keySet() + "; build the optimizer from model.parameters()");
            }
        }
        return out;
    }

    /** The learning rate stored in {@code state}, checked. */
    double readLr(Map<String, INDArray> state) {
        INDArray v = state.get(LR_KEY);
        if (v == null || v.length() != 1 || !(v.getDouble(0) > 0)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the optimizer state must hold a "
                    + "positive learning rate under '" + LR_KEY + "', got " + v);
        }
        return v.getDouble(0);
    }

    /** Checks that every key of {@code state} is one this optimizer wrote: a state from another model is refused. */
    void checkKnownKeys(Map<String, INDArray> state, Set<String> known) {
        for (String k : state.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": the optimizer state holds '" + k
                        + "', which belongs to no parameter of this optimizer (a checkpoint of another model or "
                        + "optimizer?); expected keys like " + known.stream().limit(4).toList());
            }
        }
    }

    /** The array stored under {@code key}, checked against the parameter's shape and type. */
    static INDArray slot(Map<String, INDArray> state, String key, Tensor p, String who) {
        INDArray v = state.get(key);
        if (v == null) return null;
        if (!Arrays.equals(v.shape(), p.shape()) || v.dataType() != p.dataType()) {
            throw new IllegalArgumentException(who + ": the optimizer state '" + key + "' is " + v.dataType()
                    + Arrays.toString(v.shape()) + " but the parameter is " + p.dataType()
                    + Arrays.toString(p.shape()) + "; the checkpoint belongs to a differently shaped model");
        }
        return v;
    }

    static INDArray scalarLong(long v) {
        return Nd4j.scalar(v);
    }
}
