package org.bigmodels.exercises.lesson14;

/** Solution of exercise 14.1: affine quantization with a zero point (see the stub for the task). */
public final class StudentAffineQuantization {
    private StudentAffineQuantization() {}

    public static double[] scaleAndZeroPoint(double lo, double hi, int bits) {
        lo = Math.min(lo, 0);
        hi = Math.max(hi, 0);
        int qmax = (1 << bits) - 1;
        double s = (hi - lo) / qmax;
        long z = Math.round(-lo / s);
        return new double[] {s, Math.max(0, Math.min(qmax, z))};
    }

    public static int quantize(double x, double scale, int zeroPoint, int bits) {
        long q = Math.round(x / scale) + zeroPoint;
        return (int) Math.max(0, Math.min((1 << bits) - 1, q));
    }

    public static double dequantize(int q, double scale, int zeroPoint) {
        return scale * (q - zeroPoint);
    }
}
