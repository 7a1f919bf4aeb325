/**
 * Graded exercises of lesson 01-tensors: how an n-dimensional array is laid out: strides and offsets (Strides,
 * 01.1) and the broadcast shape of two operands (BroadcastShape, 01.2). Your stubs: replace each "not implemented
 * yet" with your code and run {@code ./course grade 01}. The graded tests are in exercises/src/test/java, same
 * package.
 */
package org.bigmodels.exercises.lesson01;
