package org.bigmodels.optim;

import java.util.ArrayList;
import java.util.List;
import org.bigmodels.engine.Tensor;

/**
 * Parameters that share an optimizer setting, here the weight decay: PyTorch's "parameter groups". An optimizer built
 * from a list of groups applies each group's weight decay to its own parameters.
 *
 * <p>The usual rule, {@link #decayMatricesOnly}, decays weight matrices and embedding tables (rank &ge; 2) and never
 * biases or layer-norm gains and shifts (rank &lt; 2): shrinking a bias or a norm gain towards 0 does not limit the
 * model's capacity, it only biases it (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", 2019; the
 * grouping is GPT-2's and nanoGPT's {@code configure_optimizers}). Taught in 04-tiny-gpt.
 *
 * @param params      the parameters of the group (each in at most one group of an optimizer)
 * @param weightDecay the decay coefficient for them, &ge; 0 (0 = no decay)
 */
public record ParamGroup(List<Tensor> params, double weightDecay) {
    public ParamGroup {
        if (params == null || params.stream().anyMatch(p -> p == null)) {
            throw new IllegalArgumentException("ParamGroup: expected a list of parameters without nulls, got " + params);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("ParamGroup: expected weightDecay >= 0, got " + weightDecay);
        }
        params = List.copyOf(params);
    }

    /**
     * The usual rule: {@code weightDecay} for every parameter of rank &ge; 2 (weight matrices, embeddings), 0 for the
     * others (biases, norm gains and shifts). Returns the two groups, decayed first; either may be empty.
     */
    public static List<ParamGroup> decayMatricesOnly(List<Tensor> params, double weightDecay) {
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        for (Tensor p : params) {
            if (p == null) throw new IllegalArgumentException("ParamGroup: a parameter in the list is null");
            (decaysByDefault(p) ? decay : noDecay).add(p);
        }
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0));
    }

    /** Whether the usual rule decays {@code p}: rank &ge; 2. */
    public static boolean decaysByDefault(Tensor p) {
        return p.rank() >= 2;
    }
}
