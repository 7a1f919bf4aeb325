/**
 * Graded exercises of lesson 03-mlp-mnist: what trains the MLP: the softmax cross-entropy gradient
 * (SoftmaxCrossEntropy, 03.1), one Adam step (AdamStep, 03.2) and an optimizer for the Trainer (MomentumSGD,
 * 03.3). Your stubs: replace each "not implemented yet" with your code and run {@code ./course grade 03}. The
 * graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson03;
