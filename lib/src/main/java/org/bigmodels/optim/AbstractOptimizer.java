package org.bigmodels.optim;

import java.util.ArrayList;
import java.util.List;
import org.bigmodels.engine.Tensor;

/** What every optimizer keeps: the parameters it updates and its current learning rate. */
abstract class AbstractOptimizer implements Optimizer {
    protected final List<Tensor> params;
    protected double lr;

    AbstractOptimizer(List<Tensor> params, double lr) {
        this.params = new ArrayList<>(params);
        this.lr = lr;
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }
}
