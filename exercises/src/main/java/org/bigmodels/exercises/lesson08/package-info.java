/**
 * Graded exercises of lesson 08-pipeline-parallel: a 1F1B schedule generator (StudentOneFOneB, 08.1) that plugs in
 * where the library's PipelineSchedule goes, and a stage partitioner (StudentPartitioner, 08.2) that plugs in where
 * StagePartitioner goes. Replace each "not implemented yet" with your code and run {@code ./course grade 08}. The
 * graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson08;
