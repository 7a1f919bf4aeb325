/**
 * Graded exercises of lesson 02-backprop-from-scratch: backpropagation built by hand: a scalar autodiff value with
 * backward by topological order (Value, 02.1) and the backward pass of a linear layer (LinearBackward, 02.2).
 * Reference solutions of the same classes; the graded tests of exercises/src/test/java are compiled against them.
 */
package org.bigmodels.exercises.lesson02;
