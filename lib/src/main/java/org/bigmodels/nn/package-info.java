/**
 * Neural-network modules built on the engine, PyTorch-style: modules own named parameters and sub-modules, from a
 * single Linear layer up to a nanoGPT-sized transformer. Model sizes use nanoGPT's vocabulary: {@code nLayer},
 * {@code nHead}, {@code nEmbd}, {@code blockSize}.
 *
 * <p>Teaches how a model is assembled from parts, why parameter names matter (checkpoints, pruning, sharding and
 * the DL4J bridge address parameters by their dotted names), seeded initialisation, and the transformer: causal
 * self-attention, pre-norm blocks, a GPT. The MLP (LeNet-300-100) in 03-mlp-mnist; attention, blocks and the GPT in
 * 04-tiny-gpt, with the arithmetic of model size (parameters, FLOPs, memory). Tensor parallelism
 * (09-tensor-parallel) splits these modules across workers.
 *
 * <p>Main classes: {@link org.bigmodels.nn.Module} (named parameters), {@link org.bigmodels.nn.Linear},
 * {@link org.bigmodels.nn.MLP}, {@link org.bigmodels.nn.LayerNorm}, {@link org.bigmodels.nn.Embedding},
 * {@link org.bigmodels.nn.CausalSelfAttention}, {@link org.bigmodels.nn.Block}, {@link org.bigmodels.nn.GPT} and
 * its {@link org.bigmodels.nn.GPTConfig}; the arithmetic of model size in {@link org.bigmodels.nn.ModelMath}
 * (parameters, training FLOPs and memory of GPT-2/GPT-3-sized models) and {@link org.bigmodels.nn.Flops} (the
 * matrix-product FLOPs of one pass); {@link org.bigmodels.nn.ModuleSummary} tabulates a model's parameters. Start
 * reading at {@code Module}, then {@code MLP}; for transformers,
 * {@code GPT} top-down.
 */
package org.bigmodels.nn;
