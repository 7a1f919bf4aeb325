package org.bigmodels.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every optimizer keeps: the parameters it updates (flattened from its groups), each one's weight decay, and the
 * current learning rate; and the checks shared by {@link #loadState}.
 */
abstract class AbstractOptimizer implements Optimizer {
    static final String LR_KEY = "lr", WD_SUFFIX = ".weight_decay";

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
                if (p.dataType() != DataType.FLOAT && p.dataType() != DataType.DOUBLE) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter "
                            + describe(p, params.size()) + " is " + p.dataType() + "; expected FLOAT or DOUBLE "
                            + "parameters (for mixed precision keep float32 master weights and cast the 16-bit "
                            + "gradients to FLOAT before the step)");
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

    /**
     * @throws IllegalArgumentException unless lr is finite and &ge; 0 (0 is allowed: a schedule may end at 0)
     */
    @Override
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".setLearningRate: expected a finite "
                    + "learning rate >= 0, got " + lr + " (a schedule returning NaN, infinity or a negative rate?)");
        }
        this.lr = lr;
    }

    /**
     * This optimizer's hyperparameters other than the learning rate and the weight decays, by name (e.g. Adam's
     * beta1): saved by {@link #putHyperparameters} and compared on load by {@link #checkHyperparameters}.
     */
    abstract Map<String, Double> hyperparameters();

    /** Writes {@link #hyperparameters()} and each parameter's weight decay ({@code "<name>.weight_decay"}). */
    void putHyperparameters(Map<String, INDArray> out, String[] names) {
        hyperparameters().forEach((k, v) -> out.put(k, Nd4j.scalar(DataType.DOUBLE, v)));
        for (int i = 0; i < names.length; i++) {
            out.put(names[i] + WD_SUFFIX, Nd4j.scalar(DataType.DOUBLE, weightDecay[i]));
        }
    }

    /**
     * Adds the hyperparameter keys to {@code known} and refuses a state whose stored hyperparameters differ from this
     * optimizer's (resuming with other betas, eps, momentum or decay would silently change the run). A state written
     * without them (an older file) is accepted.
     */
    void checkHyperparameters(Map<String, INDArray> state, String[] names, Set<String> known) {
        Map<String, Double> mine = new java.util.LinkedHashMap<>(hyperparameters());
        for (int i = 0; i < names.length; i++) mine.put(names[i] + WD_SUFFIX, weightDecay[i]);
        for (var e : mine.entrySet()) {
            known.add(e.getKey());
            INDArray v = state.get(e.getKey());
            if (v == null) continue;
            if (v.length() != 1 || Double.compare(v.getDouble(0), e.getValue()) != 0) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": the saved '" + e.getKey()
                        + "' is " + (v.length() == 1 ? v.getDouble(0) : v) + " but this optimizer's is "
                        + e.getValue() + "; build the optimizer with the hyperparameters of the run that wrote the "
                        + "checkpoint");
            }
        }
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
        if (v == null || v.length() != 1 || !(v.getDouble(0) >= 0) || Double.isInfinite(v.getDouble(0))) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the optimizer state must hold a "
                    + "finite learning rate >= 0 under '" + LR_KEY + "', got " + v);
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

    /** Whether {@code a}'s buffer holds exactly its elements in row-major order (what a raw-buffer loop assumes). */
    static boolean plain(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && a.offset() == 0 && a.data().length() == a.length();
    }

    /** Zeros of {@code w}'s type and shape, row-major (optimizer state is plain whatever the parameter's layout). */
    static INDArray zerosOf(INDArray w) {
        return Nd4j.zeros(w.dataType(), w.shape());
    }

    static INDArray scalarLong(long v) {
        return Nd4j.scalar(v);
    }
}
