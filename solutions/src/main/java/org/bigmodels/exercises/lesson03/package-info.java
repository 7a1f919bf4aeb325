/**
 * Graded exercises of lesson 03-mlp-mnist: what trains the MLP: the softmax cross-entropy gradient
 * (SoftmaxCrossEntropy, 03.1), one Adam step (AdamStep, 03.2) and an optimizer for the Trainer (MomentumSGD,
 * 03.3). Reference solutions of the same classes; the graded tests of exercises/src/test/java are compiled against
 * them.
 */
package org.bigmodels.exercises.lesson03;
