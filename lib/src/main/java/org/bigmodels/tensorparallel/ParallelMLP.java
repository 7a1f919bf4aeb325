package org.bigmodels.tensorparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;

/**
 * The transformer MLP {@code act(x·A + a)·B + b} split Megatron-style: A column-parallel, B row-parallel, so each
 * rank computes {@code act(x·A_r + a_r)·B_r} on its own, the elementwise activation needing no communication
 * (splitting A by rows instead would need an all-reduce before the nonlinearity, because GELU(u+v) ≠ GELU(u)+GELU(v)).
 * One all-reduce in forward (operator g, after B) and one in backward (operator f, before A), each of x's size
 * (Shoeybi et al. 2019, §3, Figure 3a).
 *
 * <p>Shapes: x [..., C] (the same on every rank) to y [..., C] (the same on every rank); hidden width H split into
 * H/p per rank. Parameters: "fc.weight" [C, H/p], "fc.bias" [H/p], "proj.weight" [H/p, C], "proj.bias" [C].
 */
public class ParallelMLP extends Module implements Layer {
    private final ColumnParallelLinear fc;
    private final Activation activation;
    private final RowParallelLinear proj;

    /**
     * @param up         the dense first layer, C to H
     * @param activation the elementwise function between them
     * @param down       the dense second layer, H to C
     * @throws IllegalArgumentException when the layers do not chain (up.out != down.in) or p does not divide H
     */
    public ParallelMLP(Linear up, Activation activation, Linear down, Communicator comm) {
        if (up.out() != down.in()) {
            throw new IllegalArgumentException("ParallelMLP: the layers must chain, got up " + up.in() + "->" + up.out()
                    + " and down " + down.in() + "->" + down.out());
        }
        this.fc = child("fc", new ColumnParallelLinear(up, comm));
        this.activation = activation;
        this.proj = child("proj", new RowParallelLinear(down, comm));
    }

    @Override
    public Tensor forward(Tensor x) {
        return proj.forward(activation.forward(fc.forward(x)));
    }

    /** The column-parallel first layer. */
    public ColumnParallelLinear fc() {
        return fc;
    }

    /** The row-parallel second layer. */
    public RowParallelLinear proj() {
        return proj;
    }
}
