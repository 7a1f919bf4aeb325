package org.bigmodels.quant;

import java.util.Arrays;

/** A growing array of doubles (the observed values of a percentile or MSE observer). Package-private helper. */
final class ValueBuffer {
    private double[] data = new double[1024];
    private int size;

    void addAll(double[] v) {
        if ((long) size + v.length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("calibration buffer full (" + size + " values); observe fewer batches");
        }
        if (size + v.length > data.length) data = Arrays.copyOf(data, Math.max(size + v.length, 2 * data.length));
        System.arraycopy(v, 0, data, size, v.length);
        size += v.length;
    }

    int size() {
        return size;
    }

    /** The values sorted (a copy). */
    double[] sorted() {
        double[] s = Arrays.copyOf(data, size);
        Arrays.sort(s);
        return s;
    }

    /** At most max values, every k-th (deterministic), a copy. */
    double[] sample(int max) {
        int step = Math.max(1, (size + max - 1) / max);
        double[] s = new double[(size + step - 1) / step];
        for (int i = 0, j = 0; i < size; i += step) s[j++] = data[i];
        return s;
    }
}
