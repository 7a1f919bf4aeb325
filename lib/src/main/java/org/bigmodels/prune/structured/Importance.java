package org.bigmodels.prune.structured;

/**
 * How a unit (a neuron, a convolution filter, an attention head, an MLP channel) is scored before the lowest-scored
 * units are removed. Two kinds:
 * <ul>
 *   <li>weight norms, no data needed: {@link #L1} and {@link #L2} of the unit's incoming weights (a neuron's column
 *   of W [in, out] and its bias excluded; a filter's [inC, kH, kW] kernel; a head's query, key and value columns).
 *   Li et al. 2017, "Pruning Filters for Efficient ConvNets", section 3.1 (L1 of each filter).</li>
 *   <li>data-driven, scored on a batch: {@link #MEAN_ACTIVATION}, the mean absolute output of the unit over the
 *   batch (and over positions for a filter; Hu et al. 2016 "Network Trimming" use the related fraction of zeros); and
 *   {@link #TAYLOR}, the first-order Taylor estimate of the change of the loss when the unit is removed,
 *   |mean over the batch of a · dL/da| (Molchanov et al. 2017, "Pruning Convolutional Neural Networks for Resource
 *   Efficient Inference", eq. 8; for heads, Michel et al. 2019 "Are Sixteen Heads Really Better than One?", eq. 2).
 *   It is computed from the layer that consumes the unit: for a unit j whose output enters the next layer through
 *   the weights W_next[j, :], {@code sum_k W_next[j,k] · dL/dW_next[j,k] = sum_n a_nj · dL/da_nj}, so one backward
 *   pass gives every unit's score.</li>
 * </ul>
 */
public enum Importance {
    /** Sum of absolute values of the unit's incoming weights. */
    L1,
    /** Euclidean norm of the unit's incoming weights. */
    L2,
    /** Mean |activation| of the unit over a batch (neurons and filters only). */
    MEAN_ACTIVATION,
    /** |mean over a batch of activation × gradient of the loss with respect to it| (first-order Taylor). */
    TAYLOR;

    /** Whether this score needs a batch of data (MEAN_ACTIVATION, TAYLOR) rather than the weights alone. */
    public boolean needsData() {
        return this == MEAN_ACTIVATION || this == TAYLOR;
    }
}
