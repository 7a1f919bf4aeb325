/**
 * Graded exercises of lesson 14-post-training-quantization: the affine mapping with a zero point
 * (StudentAffineQuantization, 14.1), per-channel symmetric scales of a weight (StudentPerChannelScales, 14.2) and the
 * fixed-point requantization M = M0 2^-n of integer-only inference (StudentRequantization, 14.3). The library's
 * versions are {@link org.bigmodels.quant.QuantScheme}, {@link org.bigmodels.quant.Quantizer} and {@link
 * org.bigmodels.quant.FixedPointMultiplier}. Replace each "not implemented yet" with your code and run
 * {@code ./course grade 14}. The graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson14;
