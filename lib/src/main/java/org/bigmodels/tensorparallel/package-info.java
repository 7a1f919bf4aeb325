/**
 * Tensor (intra-layer) model parallelism, Megatron-LM style (Shoeybi et al., "Megatron-LM: Training multi-billion
 * parameter language models using model parallelism", arXiv:1909.08053, 2019, §3), on the course engine and
 * {@link org.bigmodels.comm.Communicator} (lesson 09-tensor-parallel). Each of p ranks holds a slice of every
 * weight matrix and computes a slice of every product; the ranks meet in all-reduces inside each layer, which is
 * why tensor parallelism needs the fastest links (inside a node).
 *
 * <ul>
 *   <li>{@link org.bigmodels.tensorparallel.TensorParallelOps}: the operators f (identity forward, all-reduce
 *       backward) and g (all-reduce forward, identity backward).</li>
 *   <li>{@link org.bigmodels.tensorparallel.ParallelLinear} (the base a learner's class extends),
 *       {@link org.bigmodels.tensorparallel.ColumnParallelLinear} (W split by columns) and
 *       {@link org.bigmodels.tensorparallel.RowParallelLinear} (by rows).</li>
 *   <li>{@link org.bigmodels.tensorparallel.ParallelMLP} (column then row),
 *       {@link org.bigmodels.tensorparallel.ParallelAttention} (heads split),
 *       {@link org.bigmodels.tensorparallel.TensorParallelBlock}, {@link org.bigmodels.tensorparallel.TensorParallelGPT},
 *       each built by sharding a dense {@code org.bigmodels.nn} model's weights.</li>
 *   <li>{@link org.bigmodels.tensorparallel.VocabParallelEmbedding} and
 *       {@link org.bigmodels.tensorparallel.VocabParallelCrossEntropy} (the logits never gathered).</li>
 *   <li>{@link org.bigmodels.tensorparallel.TensorParallelTraffic}: bytes per layer, the formulas the counters are
 *       checked against.</li>
 * </ul>
 * Sizes that p does not divide (width, heads, vocabulary) are refused with an IllegalArgumentException saying what
 * to change. Every rank must build and run the same layers in the same order (the collectives pair up by order);
 * every wait is bounded by the communicator's time-out.
 */
package org.bigmodels.tensorparallel;
