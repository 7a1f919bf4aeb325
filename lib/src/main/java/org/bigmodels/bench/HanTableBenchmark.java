package org.bigmodels.bench;

import org.bigmodels.prune.HanReproduction;

/**
 * Han et al. 2015's LeNet-300-100 pruning table reproduced in the full setting (3 seeds, full MNIST; see
 * {@link HanReproduction.Setting#full()}): prints the paper's and this run's test errors and per-layer kept
 * fractions, and whether the target (&ge; 92 % of the weights removed, &le; 0.1 percentage points of accuracy lost
 * against the dense baseline, mean of the seeds) is met. Takes several minutes. Arguments
 * {@code seeds trainExamples denseEpochs retrainEpochs} run a smaller setting.
 */
public final class HanTableBenchmark {
    private HanTableBenchmark() {}

    public static void main(String[] args) {
        HanReproduction.main(args);
    }
}
