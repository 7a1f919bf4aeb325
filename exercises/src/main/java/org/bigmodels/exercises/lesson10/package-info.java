/**
 * Graded exercise of lesson 10-memory-and-zero: ZeRO stage 1, the optimizer state partitioned over the ranks
 * (StudentZero1Shard, 10.1), implementing the library's {@link org.bigmodels.memory.OptimizerShard} so that it plugs in
 * where {@link org.bigmodels.memory.AdamWShard} does. Your stub: replace each "not implemented yet" with your code and
 * run {@code ./course grade 10}. The graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson10;
