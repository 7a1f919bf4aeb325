/**
 * Graded exercise of lesson 05-data-parallel: the ring all-reduce (StudentRingAllReduce, 05.1), written against the
 * library's Communicator and plugged in where the library's AllReduce algorithms go. Your stub: replace each "not
 * implemented yet" with your code and run {@code ./course grade 05}. The graded tests are in exercises/src/test/java,
 * same package.
 */
package org.bigmodels.exercises.lesson05;
