/**
 * Graded exercises of lesson 01-tensors: how an n-dimensional array is laid out: strides and offsets (Strides,
 * 01.1) and the broadcast shape of two operands (BroadcastShape, 01.2). Reference solutions of the same classes;
 * the graded tests of exercises/src/test/java are compiled against them.
 */
package org.bigmodels.exercises.lesson01;
