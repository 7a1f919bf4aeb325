/**
 * Graded exercise of lesson 15-quantization-aware-training: the straight-through estimator's backward of fake
 * quantization (StudentFakeQuantSte, 15.1). The library's version is {@link org.bigmodels.quant.FakeQuant#observed}.
 * Replace the "not implemented yet" with your code and run {@code ./course grade 15}. The graded tests are in
 * exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson15;
