package org.bigmodels.bench;

import org.bigmodels.prune.HanReproduction;

/**
 * Han et al. 2015's LeNet-300-100 pruning table reproduced in the full setting (3 seeds, full MNIST; see
 * {@link HanReproduction.Setting#full()}): prints the paper's and this run's test errors and per-layer kept
 * fractions, and whether the target (&ge; 92 % of the weights removed, &le; 0.1 percentage points of accuracy lost
 * against the dense baseline, mean of the seeds) is met. Runs with one BLAS thread (launch with
 * {@code OMP_NUM_THREADS=1}; LeNet-300-100's matrices are too small for more to pay, and on a shared machine more
 * threads fight the load). Arguments {@code seeds trainExamples denseEpochs retrainEpochs} run a smaller setting.
 */
public final class HanTableBenchmark {
    private HanTableBenchmark() {}

    public static void main(String[] args) {
        LeNetBenchmark.setThreads(1);
        HanReproduction.main(args);
    }
}
