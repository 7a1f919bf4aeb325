package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Review findings 4 and 10: an optimizer's state holds its hyperparameters (Adam's betas, eps, decoupled or L2 decay;
 * SGD's momentum; each parameter's weight decay) and is refused, naming the field and both values, by an optimizer
 * built with others; a state at learning rate 0 loads.
 */
class OptimizerHyperparametersStateTest {

    static Module model() {
        return new Module() {
            {
                param("w", Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}}));
                param("b", Nd4j.createFromArray(0.5, -0.5));
            }
        };
    }

    /** One step of opt on model m, then its state. */
    static Map<String, INDArray> stateAfterAStep(Module m, Optimizer opt) {
        Tensor w = m.parameter("w"), b = m.parameter("b");
        w.mul(w).sum().add(b.mul(b).sum()).backward();
        opt.step();
        return opt.state(m.namedParameters());
    }

    static void refused(Map<String, INDArray> state, Function<List<Tensor>, Optimizer> other, String field,
                        String saved, String mine) {
        Module m = model();
        Optimizer o = other.apply(m.parameters());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> o.loadState(state, m.namedParameters()), field + " differs");
        String msg = e.getMessage();
        assertTrue(msg.contains(field) && msg.contains(saved) && msg.contains(mine), "the error must name '" + field
                + "', " + saved + " and " + mine + ": " + msg);
    }

    @Test
    void adamStateIsRefusedByAnAdamWithOtherHyperparameters() {
        Module m = model();
        Map<String, INDArray> st = stateAfterAStep(m, Adam.adamW(m.parameters(), 0.01, 0.9, 0.999, 1e-8, 0.1));
        refused(st, p -> Adam.adamW(p, 0.01, 0.5, 0.999, 1e-8, 0.1), "beta1", "0.9", "0.5");
        refused(st, p -> Adam.adamW(p, 0.01, 0.9, 0.9, 1e-8, 0.1), "beta2", "0.999", "0.9");
        refused(st, p -> Adam.adamW(p, 0.01, 0.9, 0.999, 1e-3, 0.1), "eps", "1.0E-8", "0.001");
        refused(st, p -> Adam.adam(p, 0.01, 0.9, 0.999, 1e-8, 0.1), "decoupled_weight_decay", "1.0", "0.0");
        refused(st, p -> Adam.adamW(p, 0.01, 0.9, 0.999, 1e-8, 0.2), "w.weight_decay", "0.1", "0.2");
        // the same hyperparameters (another lr is fine: the saved one is restored) load
        Module m2 = model();
        Adam same = Adam.adamW(m2.parameters(), 0.05, 0.9, 0.999, 1e-8, 0.1);
        same.loadState(st, m2.namedParameters());
        assertEquals(0.01, same.learningRate(), 0.0);
    }

    @Test
    void sgdStateIsRefusedByAnSgdWithOtherMomentumOrDecay() {
        Module m = model();
        Map<String, INDArray> st = stateAfterAStep(m, new SGD(m.parameters(), 0.1, 0.9, 0.01));
        refused(st, p -> new SGD(p, 0.1, 0.5, 0.01), "momentum", "0.9", "0.5");
        refused(st, p -> new SGD(List.of(new ParamGroup(p, 0.01)), 0.1, 0.9), "b.weight_decay", "0.0", "0.01");
        Module m2 = model();
        new SGD(m2.parameters(), 0.1, 0.9, 0.01).loadState(st, m2.namedParameters());
    }

    @Test
    void aStateWrittenAtLearningRateZeroLoadsAndNegativeOrNaNDoesNot() {
        Module m = model();
        Adam a = Adam.adam(m.parameters(), 0.01);
        Map<String, INDArray> st = stateAfterAStep(m, a);
        a.setLearningRate(0.0);
        Map<String, INDArray> atZero = a.state(m.namedParameters());
        Module m2 = model();
        Adam b = Adam.adam(m2.parameters(), 0.01);
        b.loadState(atZero, m2.namedParameters());
        assertEquals(0.0, b.learningRate(), 0.0);
        for (double bad : new double[] {-0.1, Double.NaN}) {
            st.put("lr", Nd4j.scalar(bad));
            assertThrows(IllegalArgumentException.class, () -> b.loadState(st, m2.namedParameters()), "lr " + bad);
        }
    }
}
