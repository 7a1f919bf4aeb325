/**
 * Graded exercises of lesson 09-tensor-parallel: a column-parallel Linear (StudentColumnParallelLinear, 09.1) and a
 * row-parallel Linear (StudentRowParallelLinear, 09.2), forward and backward, both extending the library's
 * {@link org.bigmodels.tensorparallel.ParallelLinear} so they plug in where ColumnParallelLinear and RowParallelLinear
 * go. Your stubs: replace each "not implemented yet" with your code and run {@code ./course grade 09}. The graded
 * tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson09;
