package org.bigmodels.exercises.lesson14;

/** Solution of exercise 14.3: fixed-point requantization (see the stub for the task). */
public final class StudentRequantization {
    private StudentRequantization() {}

    public static long[] decompose(double m) {
        int n = 31;
        while (m >= 1) {
            m /= 2;
            n--;
        }
        while (m < 0.5) {
            m *= 2;
            n++;
        }
        long m0 = Math.round(m * (1L << 31));
        if (m0 == (1L << 31)) {
            m0 /= 2;
            n--;
        }
        return new long[] {m0, n};
    }

    public static int requantize(int acc, long m0, int n, int zeroPoint) {
        long r = ((long) acc * m0 + (1L << (n - 1))) >> n;
        return (int) Math.max(0, Math.min(255, zeroPoint + r));
    }
}
