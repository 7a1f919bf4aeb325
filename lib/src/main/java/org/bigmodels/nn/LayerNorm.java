package org.bigmodels.nn;

import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Normalises the last axis to zero mean and unit variance, then scales and shifts. Parameters: "weight", "bias". */
public class LayerNorm extends Module implements Layer {
    private final Tensor gamma;
    private final Tensor beta;
    private final double eps;

    public LayerNorm(long dim, DataType type) {
        this.gamma = param("weight", Nd4j.ones(type, dim));
        this.beta = param("bias", Nd4j.zeros(type, dim));
        this.eps = 1e-5;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.layerNorm(x, gamma, beta, eps);
    }
}
