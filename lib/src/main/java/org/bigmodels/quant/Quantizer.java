package org.bigmodels.quant;

import java.util.Arrays;
import java.util.function.Supplier;
import org.bigmodels.engine.ShapeException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A uniform quantizer recipe: a {@link QuantScheme} (affine or symmetric), an {@link IntFormat} (2..8 bits, signed or
 * not), a granularity (per tensor, per channel along an axis, per group of a rank-2 tensor) and a calibration
 * observer. {@link #calibrate(INDArray)} turns a tensor into {@link QuantParams}: every slice (the whole tensor, a
 * channel, or a group) gets a fresh observer that sees only that slice, and the scheme maps the observer's range to
 * (S, Z). Immutable; the {@code per...}/{@code with...} methods return modified copies.
 *
 * <pre>{@code
 * QuantParams p = Quantizer.symmetric(8).perChannel(1).calibrate(linear.weight().value()); // W [in, out]
 * INDArray q = p.quantize(w);          // INT32 values in [-127, 127]
 * INDArray wHat = p.fakeQuantize(w);   // float -> int -> float
 * }</pre>
 */
public final class Quantizer {
    private final QuantScheme scheme;
    private final IntFormat format;
    private final int axis;
    private final int groupSize;
    private final Supplier<RangeObserver> observer;

    /** Per tensor with a min-max observer. */
    public Quantizer(QuantScheme scheme, IntFormat format) {
        this(scheme, format, -1, 0, MinMaxObserver::new);
    }

    private Quantizer(QuantScheme scheme, IntFormat format, int axis, int groupSize, Supplier<RangeObserver> observer) {
        this.scheme = scheme;
        this.format = format;
        this.axis = axis;
        this.groupSize = groupSize;
        this.observer = observer;
    }

    /** Affine (asymmetric) onto unsigned b-bit integers, per tensor, min-max. @throws IllegalArgumentException bits outside 2..8 */
    public static Quantizer affine(int bits) {
        return new Quantizer(QuantScheme.AFFINE, IntFormat.unsigned(bits));
    }

    /** Symmetric (Z = 0) onto signed b-bit integers, per tensor, min-max. @throws IllegalArgumentException bits outside 2..8 */
    public static Quantizer symmetric(int bits) {
        return new Quantizer(QuantScheme.SYMMETRIC, IntFormat.signed(bits));
    }

    /** The same recipe per tensor. */
    public Quantizer perTensor() {
        return new Quantizer(scheme, format, -1, 0, observer);
    }

    /** The same recipe with one (S, Z) per index along axis (axis 1 = output channels of a weight [in, out]). */
    public Quantizer perChannel(int axis) {
        if (axis < 0) throw new IllegalArgumentException("Quantizer: expected a channel axis >= 0, got " + axis);
        return new Quantizer(scheme, format, axis, 0, observer);
    }

    /**
     * The same recipe with one (S, Z) per group of groupSize consecutive elements along the other axis, per channel
     * on axis (rank-2 tensors; for W [in, out], {@code perGroup(1, 128)} groups 128 input rows per output column).
     */
    public Quantizer perGroup(int axis, int groupSize) {
        if (axis != 0 && axis != 1) {
            throw new IllegalArgumentException("Quantizer: per-group needs axis 0 or 1 of a rank-2 tensor, got " + axis);
        }
        if (groupSize < 1) throw new IllegalArgumentException("Quantizer: expected groupSize >= 1, got " + groupSize);
        return new Quantizer(scheme, format, axis, groupSize, observer);
    }

    /** The same recipe with another observer (a fresh one is made per slice), e.g. {@code () -> new PercentileObserver(99.9)}. */
    public Quantizer withObserver(Supplier<RangeObserver> observer) {
        return new Quantizer(scheme, format, axis, groupSize, observer);
    }

    /** The same recipe in another format (e.g. {@code IntFormat.INT8} for affine signed). */
    public Quantizer withFormat(IntFormat format) {
        return new Quantizer(scheme, format, axis, groupSize, observer);
    }

    public QuantScheme scheme() {
        return scheme;
    }

    public IntFormat format() {
        return format;
    }

    /** The channel axis, or -1 per tensor. */
    public int axis() {
        return axis;
    }

    /** The group size, or 0 when not grouped. */
    public int groupSize() {
        return groupSize;
    }

    /** A fresh observer of this recipe. */
    public RangeObserver newObserver() {
        return observer.get();
    }

    /** The scale {@link #calibrate} gives a channel or group whose values are all 0 (any positive scale is exact). */
    public static final double ZERO_SLICE_SCALE = 1.0;

    /** Per-tensor parameters for a range [lo, hi]. @throws IllegalArgumentException on a zero or invalid range */
    public QuantParams params(double lo, double hi) {
        double[] sz = scheme.params(lo, hi, format);
        return QuantParams.perTensor(sz[0], (int) sz[1], format);
    }

    /** Per-tensor parameters for an observer's range. @throws IllegalStateException if it observed nothing */
    public QuantParams params(RangeObserver o) {
        double[] r = o.range();
        return params(r[0], r[1]);
    }

    /**
     * The parameters for x at this recipe's granularity, each slice calibrated by its own observer.
     *
     * <p>Rule for all-zero slices: a channel or group whose values are all exactly 0 (a pruned output channel) has no
     * range to calibrate, and any scale represents it exactly; it gets S = {@link #ZERO_SLICE_SCALE} (1) and the zero
     * point at which the real 0 sits (0 for symmetric, the scheme's Z of a range starting at 0 for affine), so its
     * values quantize to q = Z and dequantize to exactly 0. A per-tensor all-zero x is still refused.
     *
     * @throws IllegalArgumentException if x is empty or not finite, x is all zero per tensor, or a slice that is not
     *                                  all zero still has a zero observed range (the message names it)
     * @throws ShapeException           if x has no such axis, or (per group) is not rank 2 or not divisible
     */
    public QuantParams calibrate(INDArray x) {
        if (x.isEmpty()) throw new IllegalArgumentException("Quantizer: expected calibration data, got an empty tensor");
        if (axis < 0) {
            RangeObserver o = observer.get();
            o.observe(x);
            return params(o);
        }
        long[] shape = x.shape();
        if (axis >= shape.length) throw new ShapeException("Quantizer", "a tensor with an axis " + axis, Arrays.toString(shape));
        int channels = (int) shape[axis];
        int count = channels;
        if (groupSize > 0) {
            if (shape.length != 2 || shape[1 - axis] % groupSize != 0) {
                throw new ShapeException("Quantizer", "a rank-2 tensor whose axis " + (1 - axis) + " is divisible by the "
                        + "group size " + groupSize, Arrays.toString(shape));
            }
            count = channels * (int) (shape[1 - axis] / groupSize);
        }
        double[] scale = new double[count];
        int[] zp = new int[count];
        int[] dummyZ = new int[count];
        double[] ones = new double[count];
        Arrays.fill(ones, 1);
        QuantParams layout = groupSize > 0 ? QuantParams.perGroup(ones, dummyZ, axis, groupSize, format)
                : QuantParams.perChannel(ones, dummyZ, axis, format);
        int[] map = layout.indexMap(shape);
        double[] v = QuantParams.values(x);
        int[] sizes = new int[count];
        for (int m : map) sizes[m]++;
        double[][] slices = new double[count][];
        for (int i = 0; i < count; i++) slices[i] = new double[sizes[i]];
        int[] fill = new int[count];
        for (int k = 0; k < v.length; k++) slices[map[k]][fill[map[k]]++] = v[k];
        for (int i = 0; i < count; i++) {
            if (Arrays.stream(slices[i]).allMatch(d -> d == 0)) { // a pruned channel/group: see calibrate's doc
                scale[i] = ZERO_SLICE_SCALE;
                zp[i] = (int) scheme.params(0, ZERO_SLICE_SCALE * (format.qmax() - format.qmin()), format)[1];
                continue;
            }
            RangeObserver o = observer.get();
            o.observe(Nd4j.createFromArray(slices[i]));
            double[] r = o.range();
            double[] sz;
            try {
                sz = scheme.params(r[0], r[1], format);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Quantizer: " + (groupSize > 0 ? "group " + i / channels + " of " : "")
                        + "channel " + (i % channels) + " (axis " + axis + "): " + e.getMessage(), e);
            }
            scale[i] = sz[0];
            zp[i] = (int) sz[1];
        }
        return groupSize > 0 ? QuantParams.perGroup(scale, zp, axis, groupSize, format)
                : QuantParams.perChannel(scale, zp, axis, format);
    }

    /** calibrate(x).fakeQuantize(x): x as the quantized model sees it. */
    public INDArray fakeQuantize(INDArray x) {
        return calibrate(x).fakeQuantize(x);
    }

    @Override
    public String toString() {
        return "Quantizer[" + scheme + " " + format + (axis < 0 ? " per-tensor" : groupSize == 0
                ? " per-channel(axis " + axis + ")" : " per-group(axis " + axis + ", " + groupSize + ")") + "]";
    }
}
