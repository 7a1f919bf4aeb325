/**
 * Structured pruning: whole units (neurons of an MLP, filters of a convolution, attention heads and MLP channels of
 * a GPT) are ranked and physically removed, so the pruned model is a smaller dense model, faster on ordinary dense
 * kernels, unlike unstructured (weight) pruning, whose zeros are still multiplied (see {@code org.bigmodels.prune}).
 *
 * <ul>
 *   <li>{@link org.bigmodels.prune.structured.Importance}: how units are ranked (L1, L2, mean activation, Taylor).</li>
 *   <li>{@link org.bigmodels.prune.structured.UnitSelection}: the units kept after removing a fraction; weight norms.</li>
 *   <li>{@link org.bigmodels.prune.structured.NeuronPruner}: hidden neurons of an engine {@code MLP}.</li>
 *   <li>{@link org.bigmodels.prune.structured.GptPruner} and {@link org.bigmodels.prune.structured.PrunedGpt}: heads
 *   and MLP channels of the GPT, and the smaller GPT they give (saved and loaded with its shape).</li>
 *   <li>{@link org.bigmodels.prune.structured.Dl4jPruner}: neurons and filters of a user's own DL4J
 *   {@code MultiLayerNetwork}, giving a new MultiLayerNetwork (dense, convolutional, batch norm, flatten).</li>
 * </ul>
 * Every pruner has a {@code masked} twin (the same model with the units zeroed) that the pruned model must match.
 * Benchmark: {@code org.bigmodels.bench.StructuredPruningBenchmark}. Taught in 13-structured-pruning.
 */
package org.bigmodels.prune.structured;
