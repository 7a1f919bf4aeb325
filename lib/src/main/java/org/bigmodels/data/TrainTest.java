package org.bigmodels.data;

import java.util.Objects;

/**
 * A training split and the held-out split a model is judged on. Notebook: 00-welcome.
 */
public record TrainTest(Split train, Split test) {
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.features().columns() != test.features().columns()) {
            throw new IllegalArgumentException("train has " + train.features().columns() + " features per example but test has "
                    + test.features().columns() + "; they must match.");
        }
    }
}
