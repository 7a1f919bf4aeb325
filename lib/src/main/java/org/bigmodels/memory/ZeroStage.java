package org.bigmodels.memory;

/**
 * The stages of ZeRO (Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models",
 * SC 2020, section 5 and figure 1): what each of W data-parallel workers stops holding in full.
 * <ul>
 *   <li>{@link #NONE}: plain data parallelism, every worker holds everything;</li>
 *   <li>{@link #ONE} (P_os): the optimizer state is partitioned, each worker keeps and updates the state of its 1/W
 *   of the parameters, then all-gathers the updated parameters;</li>
 *   <li>{@link #TWO} (P_os+g): the gradients too, each reduced to its owner as soon as backward has finished it
 *   (a reduce-scatter) and freed elsewhere;</li>
 *   <li>{@link #THREE} (P_os+g+p): the parameters too, each layer's all-gathered just before it is used (in forward,
 *   and again in backward) and freed after.</li>
 * </ul>
 * Communication per step: stages 1 and 2 send what plain data parallelism sends (reduce-scatter + all-gather = one
 * all-reduce, 2Ψ elements per worker on a ring); stage 3 adds one more all-gather of the parameters (3Ψ, 1.5×).
 */
public enum ZeroStage {
    NONE, ONE, TWO, THREE;

    /**
     * Bytes per worker of the model states in the float32 form of the course: weights 4Ψ, gradients 4Ψ, Adam's m and v
     * K·Ψ with K = 8, each divided by W when this stage partitions it (the paper's (2 + 2 + K)Ψ/N is the same table
     * in mixed precision, K = 12).
     *
     * @param parameters Ψ, the number of parameters
     * @param workers    W, the data-parallel degree
     * @throws IllegalArgumentException if parameters &lt; 0 or workers &lt; 1
     */
    public MemoryAccount formula(long parameters, int workers) {
        return formula(parameters, workers, 4, 4, 8);
    }

    /**
     * The same with the bytes per parameter given: {@code paramBytes} of weights, {@code gradBytes} of gradient,
     * {@code k} of optimizer state (mixed precision: 2, 2, 12). Activations are 0 (they are not model states).
     */
    public MemoryAccount formula(long parameters, int workers, long paramBytes, long gradBytes, long k) {
        if (parameters < 0 || workers < 1) {
            throw new IllegalArgumentException("ZeroStage.formula: expected parameters >= 0 and workers >= 1, got "
                    + parameters + " and " + workers);
        }
        double psi = parameters;
        double p = paramBytes * psi, g = gradBytes * psi, o = k * psi;
        if (compareTo(ONE) >= 0) o /= workers;
        if (compareTo(TWO) >= 0) g /= workers;
        if (compareTo(THREE) >= 0) p /= workers;
        return new MemoryAccount(Math.round(p), Math.round(g), Math.round(o), 0);
    }
}
