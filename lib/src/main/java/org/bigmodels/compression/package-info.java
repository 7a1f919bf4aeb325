/**
 * Gradient compression for data-parallel training: send less than the dense gradient and keep what was not sent
 * (error feedback) so that nothing is lost, only delayed.
 *
 * <p>Teaches sparsification (top-k, and the threshold encoding of Strom 2015 that DL4J's gradient sharing uses) and
 * quantization (8-bit with a scale per bucket, 1-bit signs with one scale, Seide et al. 2014), the residual that
 * makes them converge, and the bytes on the wire of each. Taught in 06-parameter-servers-and-async (compression
 * ratio vs accuracy); an exercise implements {@link org.bigmodels.compression.GradientCompressor} (top-k).
 *
 * <p>Main classes: {@link org.bigmodels.compression.GradientCompressor} (the interface and its contract),
 * {@link org.bigmodels.compression.ErrorFeedbackCompressor} (the residual loop), {@link
 * org.bigmodels.compression.NoCompression} (the baseline), {@link org.bigmodels.compression.TopKCompressor},
 * {@link org.bigmodels.compression.ThresholdCompressor}, {@link org.bigmodels.compression.EightBitCompressor},
 * {@link org.bigmodels.compression.OneBitCompressor}. Start reading at {@code ErrorFeedbackCompressor}.
 */
package org.bigmodels.compression;
