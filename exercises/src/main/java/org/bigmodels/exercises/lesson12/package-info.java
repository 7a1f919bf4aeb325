/**
 * Graded exercises of lesson 12-weight-pruning: a magnitude mask at an exact sparsity, layer-wise and global, ties
 * broken by position ({@link org.bigmodels.exercises.lesson12.MagnitudeMask}, 12.1), and the cubic gradual-pruning
 * schedule of Zhu and Gupta 2017 with the sparsity in force between pruning steps
 * ({@link org.bigmodels.exercises.lesson12.CubicSchedule}, 12.2). The library's versions are
 * {@link org.bigmodels.prune.MagnitudePruning} and {@link org.bigmodels.prune.CubicSparsitySchedule}. Your stub: replace
 * each "not implemented yet" with your code and run {@code ./course grade 12}. The graded tests are in
 * exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson12;
