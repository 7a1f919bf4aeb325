package org.bigmodels.exercises.lesson03;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.bigmodels.engine.Tensor;
import org.bigmodels.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 03.3 (lesson 03-mlp-mnist): stochastic gradient descent with heavy-ball momentum, as an optimizer the
 * course's {@code Trainer} can use.
 *
 * <p>Each parameter w keeps a velocity v (zero before the first step). One step, for every parameter with a
 * gradient g: {@code v = mu·v + g;  w = w - lr·v} (PyTorch's form of Polyak's heavy ball, Polyak 1964; Sutskever et
 * al. 2013, "On the importance of initialization and momentum in deep learning", equation 1 with the learning rate
 * moved out of v). Along a direction where the gradient keeps its sign, v grows to g/(1 - mu), so steps are up to
 * 1/(1 - mu) times longer (10 times for mu = 0.9); where it flips, the terms cancel. With mu = 0 it is plain SGD.
 *
 * <p>Given: the fields and the learning-rate bookkeeping. Yours: {@code checkHyperparameters} and {@link #step()}.
 * Replace each {@code throw} below with your code, then run {@code ./course grade 03}.
 */
public final class MomentumSGD implements Optimizer {

    private final List<Tensor> params;
    private final double momentum;
    private double lr;
    private final Map<Tensor, INDArray> velocity = new IdentityHashMap<>();

    /**
     * @param params   the parameters to update
     * @param lr       the learning rate, {@code > 0}
     * @param momentum mu, {@code 0 <= mu < 1}
     * @throws IllegalArgumentException if lr or momentum is out of range (NaN included)
     */
    public MomentumSGD(List<Tensor> params, double lr, double momentum) {
        checkHyperparameters(lr, momentum);
        this.params = new ArrayList<>(params);
        this.lr = lr;
        this.momentum = momentum;
    }

    private static void checkHyperparameters(double lr, double momentum) {
        throw new UnsupportedOperationException("not implemented yet: MomentumSGD.checkHyperparameters -- refuse"
                + " lr <= 0 and momentum outside [0, 1) with an IllegalArgumentException that shows the values got."
                + " Pitfall: NaN fails every comparison, so test for what is allowed, not for what is not");
    }

    /** One step for every parameter that has a gradient; parameters without one are left alone. */
    @Override
    public void step() {
        throw new UnsupportedOperationException("not implemented yet: MomentumSGD.step -- for each parameter whose"
                + " grad() is not null: its velocity (one per parameter, kept in the map across steps) becomes"
                + " mu times itself plus the gradient, then the value moves by -lr times the velocity, in place."
                + " Pitfalls: keeping the gradient array itself as the velocity (the engine reuses it: copy it);"
                + " the dampened form mu·v + (1 - mu)·g is another optimizer");
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
