package org.bigmodels.quant;

import java.util.Arrays;
import org.bigmodels.engine.ShapeException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameters of a uniform quantizer, r = S (q - Z) (Jacob et al. 2018, equation 1), at one of three
 * granularities:
 *
 * <ul>
 *   <li>per tensor: one (S, Z);
 *   <li>per channel: one (S, Z) per index along {@link #axis()} (for a Linear weight W [in, out] the output channels
 *       are axis 1: each output neuron gets its own scale, Krishnamoorthi 2018, section 3.1);
 *   <li>per group (rank-2 tensors only): each channel is cut into groups of {@link #groupSize()} consecutive
 *       elements along the other axis (the reduction axis of a weight), one (S, Z) per group and channel; parameter
 *       index = group * channels + channel.
 * </ul>
 *
 * Quantization rounds half to even ({@link Math#rint}) and clamps into the format's [qmin, qmax]; everything is
 * computed in double. Immutable.
 */
public final class QuantParams {
    private final IntFormat format;
    private final double[] scale;
    private final int[] zeroPoint;
    private final int axis;
    private final int groupSize;

    private QuantParams(IntFormat format, double[] scale, int[] zeroPoint, int axis, int groupSize) {
        if (scale.length == 0 || scale.length != zeroPoint.length) {
            throw new IllegalArgumentException("QuantParams: expected as many scales as zero points (at least one), got "
                    + scale.length + " and " + zeroPoint.length);
        }
        for (int i = 0; i < scale.length; i++) {
            if (!(scale[i] > 0) || !Double.isFinite(scale[i])) {
                throw new IllegalArgumentException("QuantParams: expected positive finite scales, got " + scale[i]
                        + " at index " + i);
            }
            if (zeroPoint[i] < format.qmin() || zeroPoint[i] > format.qmax()) {
                throw new IllegalArgumentException("QuantParams: zero point " + zeroPoint[i] + " at index " + i
                        + " is outside " + format + "'s [" + format.qmin() + ", " + format.qmax() + "]");
            }
        }
        this.format = format;
        this.scale = scale.clone();
        this.zeroPoint = zeroPoint.clone();
        this.axis = axis;
        this.groupSize = groupSize;
    }

    /** One scale and zero point for the whole tensor. */
    public static QuantParams perTensor(double scale, int zeroPoint, IntFormat format) {
        return new QuantParams(format, new double[] {scale}, new int[] {zeroPoint}, -1, 0);
    }

    /** One scale and zero point per index along axis (scale.length must equal the tensor's size along axis). */
    public static QuantParams perChannel(double[] scale, int[] zeroPoint, int axis, IntFormat format) {
        if (axis < 0) throw new IllegalArgumentException("QuantParams: expected a channel axis >= 0, got " + axis);
        return new QuantParams(format, scale, zeroPoint, axis, 0);
    }

    /**
     * One scale and zero point per (group, channel) of a rank-2 tensor: channels along axis, groups of groupSize
     * along the other axis; index = group * channels + channel.
     */
    public static QuantParams perGroup(double[] scale, int[] zeroPoint, int axis, int groupSize, IntFormat format) {
        if (axis != 0 && axis != 1) {
            throw new IllegalArgumentException("QuantParams: per-group needs a rank-2 tensor's axis 0 or 1, got " + axis);
        }
        if (groupSize < 1) throw new IllegalArgumentException("QuantParams: expected groupSize >= 1, got " + groupSize);
        return new QuantParams(format, scale, zeroPoint, axis, groupSize);
    }

    public IntFormat format() {
        return format;
    }

    public int bits() {
        return format.bits();
    }

    /** The channel axis, or -1 per tensor. */
    public int axis() {
        return axis;
    }

    /** The group size along the non-channel axis, or 0 when not grouped. */
    public int groupSize() {
        return groupSize;
    }

    /** The number of (S, Z) pairs. */
    public int count() {
        return scale.length;
    }

    public double scale(int i) {
        return scale[i];
    }

    public int zeroPoint(int i) {
        return zeroPoint[i];
    }

    /** All scales (a copy). */
    public double[] scales() {
        return scale.clone();
    }

    /** All zero points (a copy). */
    public int[] zeroPoints() {
        return zeroPoint.clone();
    }

    /** True when every zero point is 0 (no zero-point terms in integer kernels). */
    public boolean isSymmetric() {
        return Arrays.stream(zeroPoint).allMatch(z -> z == 0);
    }

    /** The smallest representable real value of parameter i: S (qmin - Z). */
    public double rangeMin(int i) {
        return scale[i] * (format.qmin() - zeroPoint[i]);
    }

    /** The largest representable real value of parameter i: S (qmax - Z). */
    public double rangeMax(int i) {
        return scale[i] * (format.qmax() - zeroPoint[i]);
    }

    /**
     * q = clamp(rint(x / S_i) + Z_i, qmin, qmax), computed in double so that values far outside the range (even
     * where x / S_i overflows) saturate to qmin or qmax.
     *
     * @throws IllegalArgumentException if x is NaN or infinite (no integer represents it; fix the model or data)
     */
    public int quantize(double x, int i) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("QuantParams: expected a finite value to quantize, got " + x
                    + "; no integer represents it, fix the model or data (the float model produced it)");
        }
        double q = Math.rint(x / scale[i]) + zeroPoint[i];
        return q <= format.qmin() ? format.qmin() : q >= format.qmax() ? format.qmax() : (int) q;
    }

    /** r = S_i (q - Z_i). */
    public double dequantize(int q, int i) {
        return scale[i] * (q - zeroPoint[i]);
    }

    /**
     * The integers of x, same shape, as an INT32 array (values in [qmin, qmax]).
     *
     * @throws ShapeException           if x does not match these parameters' granularity (see {@link #indexMap})
     * @throws IllegalArgumentException if x holds a NaN or an infinity (the message gives its index)
     */
    public INDArray quantize(INDArray x) {
        double[] v = values(x);
        int[] map = indexMap(x.shape());
        int[] q = new int[v.length];
        checkFinite(v, x.shape());
        for (int k = 0; k < v.length; k++) q[k] = quantize(v[k], map[k]);
        return Nd4j.createFromArray(q).reshape('c', x.shape());
    }

    /**
     * The real values of integers q (any integer type), same shape, as FLOAT.
     *
     * @throws ShapeException if q does not match these parameters' granularity
     */
    public INDArray dequantize(INDArray q) {
        double[] v = values(q);
        int[] map = indexMap(q.shape());
        double[] r = new double[v.length];
        for (int k = 0; k < v.length; k++) r[k] = dequantize((int) v[k], map[k]);
        return Nd4j.create(r, q.shape(), 'c').castTo(DataType.FLOAT);
    }

    /**
     * Quantize then dequantize (float -> int -> float), in x's element type: the values the integer model computes
     * with, as floats. The "simulated quantization" of Jacob et al. 2018, section 3.
     *
     * @throws ShapeException           if x does not match these parameters' granularity
     * @throws IllegalArgumentException if x holds a NaN or an infinity (the message gives its index)
     */
    public INDArray fakeQuantize(INDArray x) {
        double[] v = values(x);
        int[] map = indexMap(x.shape());
        double[] r = new double[v.length];
        checkFinite(v, x.shape());
        for (int k = 0; k < v.length; k++) r[k] = dequantize(quantize(v[k], map[k]), map[k]);
        return Nd4j.create(r, x.shape(), 'c').castTo(x.dataType());
    }

    /**
     * For each element of a tensor of this shape (c order), the index of its (S, Z).
     *
     * @throws ShapeException if the shape's size along the axis (times the number of groups) does not match
     *                        {@link #count()}, or a grouped tensor is not rank 2 or not divisible by the group size
     */
    public int[] indexMap(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        int[] map = new int[Math.toIntExact(n)];
        if (axis < 0) {
            if (count() != 1) throw new IllegalStateException("QuantParams: per-tensor with " + count() + " scales");
            return map;
        }
        if (axis >= shape.length) {
            throw new ShapeException("QuantParams", "a tensor with an axis " + axis, Arrays.toString(shape));
        }
        int channels = (int) shape[axis];
        long stride = 1;
        for (int d = axis + 1; d < shape.length; d++) stride *= shape[d];
        if (groupSize == 0) {
            if (channels != count()) {
                throw new ShapeException("QuantParams", count() + " channels along axis " + axis, Arrays.toString(shape));
            }
            for (int k = 0; k < map.length; k++) map[k] = (int) ((k / stride) % channels);
            return map;
        }
        if (shape.length != 2) {
            throw new ShapeException("QuantParams", "a rank-2 tensor for per-group parameters", Arrays.toString(shape));
        }
        int other = (int) shape[1 - axis];
        if (other % groupSize != 0 || (long) channels * (other / groupSize) != count()) {
            throw new ShapeException("QuantParams", count() + " groups of " + groupSize + " (channels on axis " + axis
                    + ", the other axis divisible by " + groupSize + ")", Arrays.toString(shape));
        }
        int cols = (int) shape[1];
        for (int k = 0; k < map.length; k++) {
            int r = k / cols, c = k % cols;
            int ch = axis == 1 ? c : r, pos = axis == 1 ? r : c;
            map[k] = (pos / groupSize) * channels + ch;
        }
        return map;
    }

    /**
     * Bytes to store a tensor of numel elements with these parameters: numel * bits / 8 (rounded up), plus 4 bytes
     * per scale (float32) and, unless symmetric, 1 byte per zero point.
     */
    public long storageBytes(long numel) {
        return (numel * bits() + 7) / 8 + 4L * count() + (isSymmetric() ? 0 : count());
    }

    /** @throws IllegalArgumentException naming the first NaN or infinite element (c-order index) */
    private static void checkFinite(double[] v, long[] shape) {
        for (int k = 0; k < v.length; k++) {
            if (!Double.isFinite(v[k])) {
                throw new IllegalArgumentException("QuantParams: expected finite values to quantize, got " + v[k]
                        + " at element " + k + " (c order) of a tensor of shape " + Arrays.toString(shape)
                        + "; no integer represents it, fix the model or data (the float model produced it)");
            }
        }
    }

    /** The values of x in c order, as doubles. */
    static double[] values(INDArray x) {
        if (x.isEmpty()) throw new IllegalArgumentException("QuantParams: expected a non-empty tensor, got an empty one");
        return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    @Override
    public String toString() {
        String g = axis < 0 ? "per-tensor" : groupSize == 0 ? "per-channel(axis " + axis + ")"
                : "per-group(axis " + axis + ", size " + groupSize + ")";
        return "QuantParams[" + format + ", " + g + ", " + count() + " scale(s)"
                + (count() == 1 ? ", S=" + scale[0] + ", Z=" + zeroPoint[0] : "") + "]";
    }
}
