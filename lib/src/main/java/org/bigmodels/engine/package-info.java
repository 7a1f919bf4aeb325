/**
 * A small reverse-mode automatic-differentiation engine on ND4J arrays, micrograd-style: every operation computes its
 * value and records how to pass a gradient back; {@code backward()} walks the graph in reverse topological order.
 *
 * <p>Teaches backpropagation itself: the chain rule as code, one backward rule beside each forward computation,
 * broadcasting undone by summing, and checking every rule against central finite differences. Built step by step
 * in 02-backprop-from-scratch; the losses in 03-mlp-mnist; layer norm, embedding, softmax and the causal mask in
 * 04-tiny-gpt. Every later part (parallelism, pruning, quantization, distillation) trains on it.
 *
 * <p>Main classes: {@link org.bigmodels.engine.Tensor} (a graph node: value, gradient, backward),
 * {@link org.bigmodels.engine.Ops} (the differentiable operations and their backward rules),
 * {@link org.bigmodels.engine.GradCheck} (finite-difference checks), {@link org.bigmodels.engine.Gemm} (matrix
 * products straight into BLAS) and {@link org.bigmodels.engine.Arena} (reusing a step's arrays). Start reading at
 * {@code Tensor}, then {@code Ops.mul} and {@code Ops.matmul}.
 */
package org.bigmodels.engine;
