package org.bigmodels.optim;

import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer that wraps another and forwards everything to it: its parameters and groups, its learning rate (so a
 * schedule reaches the wrapped optimizer), its state for checkpoints, zeroGrad and step. A wrapper extends this and
 * overrides {@link #step} to add what it does around the wrapped update, for example pruning masks
 * ({@link org.bigmodels.prune.MaskedOptimizer}) or a max-norm constraint ({@link org.bigmodels.distill.MaxNorm}).
 * The decorator pattern (Gamma et al., "Design Patterns", 1994).
 */
public abstract class ForwardingOptimizer implements Optimizer {
    /** The wrapped optimizer. */
    protected final Optimizer inner;

    /**
     * @param inner the optimizer to wrap
     * @param who   the wrapper's name, for the error
     * @throws IllegalArgumentException when inner is null
     */
    protected ForwardingOptimizer(Optimizer inner, String who) {
        if (inner == null) {
            throw new IllegalArgumentException(who + ": expected an optimizer to wrap, got null");
        }
        this.inner = inner;
    }

    /** The wrapped optimizer. */
    public Optimizer inner() {
        return inner;
    }

    /** The wrapped optimizer's step; wrappers override this to act around it. */
    @Override
    public void step() {
        inner.step();
    }

    @Override
    public void zeroGrad() {
        inner.zeroGrad();
    }

    @Override
    public List<Tensor> parameters() {
        return inner.parameters();
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return inner.paramGroups();
    }

    @Override
    public double learningRate() {
        return inner.learningRate();
    }

    @Override
    public void setLearningRate(double lr) {
        inner.setLearningRate(lr);
    }

    @Override
    public Map<String, INDArray> state(Map<String, Tensor> namedParameters) {
        return inner.state(namedParameters);
    }

    @Override
    public void loadState(Map<String, INDArray> state, Map<String, Tensor> namedParameters) {
        inner.loadState(state, namedParameters);
    }
}
