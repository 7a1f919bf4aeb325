package org.bigmodels.compression;

/**
 * 8-bit quantization with a scale per bucket, with error feedback: each bucket of {@code bucketSize} consecutive
 * elements of {@code v = gradient + residual} gets {@code scale = max|v| / 127} and element codes
 * {@code round(v_i / scale)} in [-127, 127]; the receiver multiplies back. Rounding error per element is at most
 * {@code scale / 2}, and error feedback carries it into the next step. About 4x smaller than float32.
 *
 * <p>Sources: Dettmers, "8-bit approximations for parallelism in deep learning", ICLR 2016 (8-bit gradients);
 * per-bucket scaling as in QSGD (Alistarh et al., NeurIPS 2017, section 3, deterministic rounding here);
 * error feedback: Seide et al. 2014.
 */
public final class EightBitCompressor extends ErrorFeedbackCompressor {
    private final int bucketSize;

    /**
     * @param bucketSize elements sharing one scale, &ge; 1 (smaller: more accurate, more bytes)
     * @throws IllegalArgumentException if bucketSize &le; 0
     */
    public EightBitCompressor(int bucketSize) {
        if (bucketSize <= 0) {
            throw new IllegalArgumentException("EightBitCompressor: bucketSize must be >= 1 element, got " + bucketSize);
        }
        this.bucketSize = bucketSize;
    }

    @Override
    protected CompressedGradient encode(float[] v) {
        int buckets = (v.length + bucketSize - 1) / bucketSize;
        float[] scales = new float[buckets];
        byte[] codes = new byte[v.length];
        for (int b = 0; b < buckets; b++) {
            int from = b * bucketSize, to = Math.min(v.length, from + bucketSize);
            float max = 0;
            for (int i = from; i < to; i++) max = Math.max(max, Math.abs(v[i]));
            float scale = max / 127f;
            scales[b] = scale;
            if (scale == 0) continue;
            for (int i = from; i < to; i++) {
                long q = Math.round(v[i] / (double) scale);
                codes[i] = (byte) Math.max(-127, Math.min(127, q));
            }
        }
        return new QuantizedGradient(codes, scales, bucketSize);
    }

    @Override
    public String toString() {
        return "EightBit(bucket=" + bucketSize + ")";
    }
}
