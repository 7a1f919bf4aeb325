package org.bigmodels.compression;

/**
 * The naive baseline: send the dense gradient, 4 bytes per float, nothing kept back (the residual stays zero).
 * Every ratio in the lessons is against this.
 */
public final class NoCompression extends ErrorFeedbackCompressor {

    /** The dense payload: {@code 4·length} bytes. */
    public static final class DenseGradient implements CompressedGradient {
        private final float[] values;

        /** Wraps a copy of {@code values}. */
        public DenseGradient(float[] values) {
            this.values = values.clone();
        }

        @Override
        public int length() {
            return values.length;
        }

        @Override
        public long wireBytes() {
            return 4L * values.length;
        }

        @Override
        public float[] decode() {
            return values.clone();
        }
    }

    @Override
    protected CompressedGradient encode(float[] corrected) {
        return new DenseGradient(corrected);
    }

    @Override
    public String toString() {
        return "NoCompression";
    }
}
