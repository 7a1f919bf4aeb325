/**
 * Quantization: real numbers stored as small integers, r = S (q - Z) (Jacob et al. 2018).
 *
 * <p>The core: {@link org.bigmodels.quant.IntFormat} (2..8 bits, signed or unsigned), {@link
 * org.bigmodels.quant.QuantScheme} (affine or symmetric: how a range becomes S and Z), {@link
 * org.bigmodels.quant.QuantParams} (the S and Z of a tensor, per tensor, per channel or per group; quantize,
 * dequantize, fake-quantize), {@link org.bigmodels.quant.Quantizer} (a recipe: scheme, format, granularity, observer;
 * {@code calibrate(x)} gives the QuantParams), the calibration observers ({@link org.bigmodels.quant.RangeObserver}:
 * {@link org.bigmodels.quant.MinMaxObserver}, {@link org.bigmodels.quant.MovingAverageMinMaxObserver}, {@link
 * org.bigmodels.quant.PercentileObserver}, {@link org.bigmodels.quant.MseObserver}) and {@link
 * org.bigmodels.quant.FixedPointMultiplier} (M = M0 2^-n, integer-only requantization). Start reading at
 * {@code QuantParams}, then {@code Quantizer}.
 *
 * <p>Built on the core: integer-only inference ({@link org.bigmodels.quant.IntegerMLP}; its matrix product an {@link
 * org.bigmodels.quant.Int8Kernel}, a plain loop or the SIMD {@link org.bigmodels.quant.VectorInt8Kernel}), k-means weight sharing
 * ({@link org.bigmodels.quant.KMeansCodebook}), the quantized model file ({@link org.bigmodels.quant.QuantizedModelFile}),
 * quantization-aware training ({@link org.bigmodels.quant.FakeQuant}, {@link org.bigmodels.quant.QatMLP}), and
 * weight-only quantization of the GPT: group-wise round-to-nearest ({@link org.bigmodels.quant.GroupwiseRTN}) against
 * AWQ's two activation-aware steps, {@link org.bigmodels.quant.ActivationAwareScaling} and {@link
 * org.bigmodels.quant.ActivationAwareClipping}.
 *
 * <p>Taught in 14-post-training-quantization (offline) and 15-quantization-aware-training (online, built on the same
 * classes).
 */
package org.bigmodels.quant;
