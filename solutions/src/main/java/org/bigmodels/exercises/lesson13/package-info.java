/**
 * Graded exercises of lesson 13-structured-pruning: which neurons of a Linear layer to keep, by the L1 norm of their
 * incoming weights ({@link org.bigmodels.exercises.lesson13.L1NeuronSelection}, 13.1), and removing them physically
 * from a layer pair, the next layer's inputs too ({@link org.bigmodels.exercises.lesson13.NeuronRemoval}, 13.2). The
 * library's version is {@link org.bigmodels.prune.structured.NeuronPruner}. Your stub: replace each "not implemented
 * yet" with your code and run {@code ./course grade 13}. The graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson13;
