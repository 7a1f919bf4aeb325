/**
 * Graded exercise of lesson 11-spark-scale-out: the gradient aggregation of driver-centric synchronous SGD on Spark
 * (StudentGradientAggregation, 11.1): what {@code treeAggregate} must compute from the partitions' gradients when the
 * partitions hold different numbers of examples. Your stub: replace each "not implemented yet" with your code and run
 * {@code ./course grade 11}. The graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson11;
