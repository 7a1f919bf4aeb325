/**
 * The bridge between this course's models and DL4J (Deeplearning4j): a course MLP becomes a DL4J
 * {@code MultiLayerNetwork} with the same weights, and back.
 *
 * <p>Teaches that a model is its parameters plus a layout convention: the course keeps a Linear layer's W as
 * [in, out] like DL4J, so weights copy as they are, and the two frameworks give the same logits (checked by the
 * tests). Used in 03-mlp-mnist (the same network trained by both) and later for DL4J models in
 * 07-dl4j-parallelwrapper and 13-structured-pruning.
 *
 * <p>Main class: {@link org.bigmodels.dl4j.Dl4jBridge}; start reading at its class comment. For DL4J's own data
 * parallelism (07-dl4j-parallelwrapper): {@link org.bigmodels.dl4j.ParallelWrapperTrainer} (ParallelWrapper with W
 * workers and parameter averaging every k rounds, timed, with test accuracy) and
 * {@link org.bigmodels.dl4j.RoundRobinShardIterator} (the course's per-worker shards in the order ParallelWrapper
 * deals minibatches).
 */
package org.bigmodels.dl4j;
