/**
 * Weight (unstructured) pruning (lesson 12-weight-pruning): remove the individually least important weights of a
 * trained network, keep them removed while the rest is fine-tuned, and measure what the sparse model really gains in
 * bytes and time. Importance is magnitude |w| throughout; the classes go from the bare criterion to the practical
 * recipes.
 *
 * <ol>
 *   <li>{@link org.bigmodels.prune.MagnitudePruning}: a mask at an exact sparsity (exactly round(s·n) zeros at the
 *       smallest |w|, ties by position), layer-wise or global.</li>
 *   <li>{@link org.bigmodels.prune.PruningMasks}: the masks of a model, applied to its weights and gradients.</li>
 *   <li>{@link org.bigmodels.prune.MaskedOptimizer}: masks held through fine-tuning with any course optimizer
 *       (momentum and Adam's moments would otherwise revive a pruned weight); one-shot pruning is a mask plus this.</li>
 *   <li>{@link org.bigmodels.prune.IterativePruning}: Han et al.'s prune-and-retrain with threshold q·σ per layer.</li>
 *   <li>{@link org.bigmodels.prune.CubicSparsitySchedule} and {@link org.bigmodels.prune.GradualPruner}: Zhu and
 *       Gupta's gradual pruning during training along the cubic schedule.</li>
 *   <li>{@link org.bigmodels.prune.SensitivityAnalysis}: each layer pruned alone at rising sparsity, per-layer
 *       sparsities read from the curves.</li>
 *   <li>{@link org.bigmodels.prune.CsrMatrix} and {@link org.bigmodels.prune.SparseMLP}: the pruned weights in CSR
 *       form, their size in bytes, and sparse inference (timed against dense by
 *       {@code org.bigmodels.bench.SparseInferenceBenchmark}).</li>
 *   <li>{@link org.bigmodels.prune.HanReproduction}: Han et al.'s LeNet-300-100 table reproduced
 *       ({@code org.bigmodels.bench.HanTableBenchmark} runs the full setting).</li>
 *   <li>{@link org.bigmodels.prune.Dl4jWeightPruning}: the same masks on a user's own DL4J
 *       {@code MultiLayerNetwork} (dense and convolutional weights), held through DL4J's own {@code fit} by a
 *       training listener.</li>
 * </ol>
 *
 * <p>Sources: S. Han, J. Pool, J. Tran, W. Dally, "Learning both Weights and Connections for Efficient Neural
 * Networks", NeurIPS 2015 (magnitude pruning, prune-and-retrain, the q·σ threshold, sensitivity, LeNet-300-100 table);
 * S. Han, H. Mao, W. Dally, "Deep Compression", ICLR 2016 (sparse storage); M. Zhu, S. Gupta, "To prune, or not to
 * prune: exploring the efficacy of pruning for model compression", 2017 (the cubic schedule); the pruning labs of
 * Distiller and of MIT 6.5940 (sensitivity analysis).
 */
package org.bigmodels.prune;
