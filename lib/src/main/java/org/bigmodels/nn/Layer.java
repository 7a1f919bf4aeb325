package org.bigmodels.nn;

import org.bigmodels.engine.Tensor;

/** Anything that maps one tensor to another: a module with a single input, or a plain activation. */
@FunctionalInterface
public interface Layer {
    Tensor forward(Tensor x);
}
