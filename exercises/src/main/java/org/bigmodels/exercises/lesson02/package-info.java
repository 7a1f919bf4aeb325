/**
 * Graded exercises of lesson 02-backprop-from-scratch: backpropagation built by hand: a scalar autodiff value with
 * backward by topological order (Value, 02.1) and the backward pass of a linear layer (LinearBackward, 02.2). Your
 * stubs: replace each "not implemented yet" with your code and run {@code ./course grade 02}. The graded tests are
 * in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson02;
