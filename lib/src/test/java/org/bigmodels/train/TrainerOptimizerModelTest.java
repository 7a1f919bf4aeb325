package org.bigmodels.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * A Trainer whose optimizer holds another model's parameters would train without error while its model never
 * changes (a notebook's model cell re-run without its optimizer cell): it is refused when the Trainer is built.
 */
class TrainerOptimizerModelTest {

    @Test
    void anOptimizerBuiltForAnotherModelIsRefusedNamingTheParameter() {
        MLP old = MLP.of(4, 3, 2);
        MLP fresh = MLP.of(4, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(fresh, new SGD(old.parameters(), 0.1), TrainConfig.defaults()));
        assertTrue(e.getMessage().contains("parameter #0") && e.getMessage().contains("not one of this model's"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Trainer(fresh, Adam.adamW(old.parameters(), 1e-3, 0.1), TrainConfig.defaults()));
    }

    @Test
    void theModelsOwnParametersOrASubsetOfThemAreAccepted() {
        MLP m = MLP.of(4, 3, 2);
        assertDoesNotThrow(() -> new Trainer(m, new SGD(m.parameters(), 0.1), TrainConfig.defaults()));
        // a frozen first layer: the optimizer updates only the last layer's weight and bias
        List<org.bigmodels.engine.Tensor> last = m.parameters().subList(2, 4);
        assertDoesNotThrow(() -> new Trainer(m, new SGD(last, 0.1), TrainConfig.defaults()));
    }
}
