package org.bigmodels.quant;

import java.util.Arrays;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fake-quantization nodes for quantization-aware training: ops of the engine (built with {@link Tensor#fromOp}) whose
 * forward is quantize-then-dequantize, x -> S (clamp(round(x / S) + Z, qmin, qmax) - Z), and whose backward is the
 * straight-through estimator (STE; Bengio et al. 2013, used for QAT by Jacob et al. 2018, section 3 and
 * Krishnamoorthi 2018, section 3.3).
 *
 * <p>Why an estimator: the forward is a staircase, so its true derivative is 0 almost everywhere (and undefined on
 * the steps' edges); training through it would never move a weight. The STE treats round() as the identity, so the
 * backward is the derivative of the clipping alone, clamp(x, lo, hi) with lo = S (qmin - Z), hi = S (qmax - Z):
 * dL/dx = dL/dy where lo <= x <= hi (boundaries included) and 0 outside, where the value is clipped and no small
 * change of x changes the output.
 *
 * <p>Two ways to get the range:
 * <ul>
 *   <li>{@link #observed(Tensor, QuantParams)}: fixed parameters (from a calibration observer); only x gets a gradient.
 *   <li>{@link #learned(Tensor, Tensor, int, IntFormat, double)}: the step size S is itself a parameter (Z = 0), trained
 *       with the LSQ gradient of Esser et al. 2020, "Learned Step Size Quantization" (ICLR 2020), equation 3:
 *       dy/dS = round(x/S) - x/S inside the range, qmin below, qmax above, multiplied by the gradient scale
 *       g = 1 / sqrt(N qmax) of their section 2.2 (N = elements per scale). LSQ, not PACT: PACT (Choi et al. 2018)
 *       learns only an upper clipping bound of activations; LSQ learns the step of weights and activations alike.
 * </ul>
 *
 * <p>Everything is computed in double; the output has x's element type.
 */
public final class FakeQuant {
    /**
     * The smallest step size {@link #learned} uses: a smaller (or negative) learned S, which an optimizer step can make
     * of the tiny scale of a dead channel, is raised to it in the forward and gets no gradient (the derivative of
     * max(S, MIN_STEP)), so the channel stays frozen instead of the run failing.
     */
    public static final double MIN_STEP = 1e-6;

    private FakeQuant() {}

    /**
     * Fake quantization with fixed parameters p (per tensor, per channel or per group) and the STE: the gradient
     * passes where p.rangeMin(i) <= x <= p.rangeMax(i), and is 0 elsewhere.
     *
     * @throws ShapeException if x does not match p's granularity
     */
    public static Tensor observed(Tensor x, QuantParams p) {
        INDArray xv = x.value();
        double[] v = QuantParams.values(xv);
        int[] map = p.indexMap(xv.shape());
        double[] out = new double[v.length];
        boolean[] pass = new boolean[v.length];
        for (int k = 0; k < v.length; k++) {
            int i = map[k];
            out[k] = p.dequantize(p.quantize(v[k], i), i);
            pass[k] = v[k] >= p.rangeMin(i) && v[k] <= p.rangeMax(i);
        }
        INDArray value = Nd4j.create(out, xv.shape(), 'c').castTo(xv.dataType());
        return Tensor.fromOp("fakeQuant", value, g -> {
            if (!x.requiresGrad()) return;
            x.accumulateGrad(steMask(g, pass));
        }, x);
    }

    /**
     * Fake quantization with a learned step size (LSQ, Z = 0): y = S clamp(round(x / S), qmin, qmax), one S per
     * tensor ({@code axis = -1}, scale of shape [1]) or per index along {@code axis} (scale of shape [x.size(axis)]).
     * Backward: dL/dx by the STE (1 where qmin <= x/S <= qmax, else 0); dL/dS = gradScale * sum over the scale's
     * elements of dL/dy * (round(x/S) - x/S inside, qmin below, qmax above).
     *
     * @param format    the integers: signed for weights (qmin = -2^(b-1)), unsigned for ReLU outputs (qmin = 0)
     * @param gradScale the factor on dL/dS; {@link #lsqGradScale} gives LSQ's 1 / sqrt(N qmax)
     * @throws ShapeException           if scale's length is not 1 (per tensor) or x.size(axis) (per channel)
     * @throws IllegalArgumentException if a scale is NaN or infinite (a diverged run); scales below
     *                                  {@link #MIN_STEP} are raised to it (see there)
     */
    public static Tensor learned(Tensor x, Tensor scale, int axis, IntFormat format, double gradScale) {
        INDArray xv = x.value();
        long[] shape = xv.shape();
        double[] s = QuantParams.values(scale.value());
        boolean[] floored = new boolean[s.length];
        int channels = axis < 0 ? 1 : (int) shape[axis];
        if (axis >= shape.length || s.length != channels) {
            throw new ShapeException("FakeQuant.learned", axis < 0 ? "a scale of 1 element (per tensor)"
                    : "a scale of x.size(" + axis + ") elements (per channel)",
                    "x " + Arrays.toString(shape) + ", scale " + Arrays.toString(scale.shape()) + ", axis " + axis);
        }
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                throw new IllegalArgumentException("FakeQuant.learned: expected finite step sizes, got " + s[i]
                        + " at index " + i + "; the run diverged: lower the learning rate");
            }
            if (s[i] < MIN_STEP) {
                s[i] = MIN_STEP;
                floored[i] = true;
            }
        }
        long stride = 1;
        for (int d = axis + 1; axis >= 0 && d < shape.length; d++) stride *= shape[d];
        double[] v = QuantParams.values(xv);
        int qmin = format.qmin(), qmax = format.qmax();
        double[] out = new double[v.length];
        boolean[] pass = new boolean[v.length];
        double[] dyds = new double[v.length];
        int[] chan = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            int c = axis < 0 ? 0 : (int) ((k / stride) % channels);
            chan[k] = c;
            double u = v[k] / s[c];
            if (u < qmin) {
                out[k] = s[c] * qmin;
                dyds[k] = qmin;
            } else if (u > qmax) {
                out[k] = s[c] * qmax;
                dyds[k] = qmax;
            } else {
                double r = Math.rint(u);
                out[k] = s[c] * r;
                dyds[k] = r - u;
                pass[k] = true;
            }
        }
        INDArray value = Nd4j.create(out, shape, 'c').castTo(xv.dataType());
        return Tensor.fromOp("fakeQuantLSQ", value, g -> {
            if (x.requiresGrad()) x.accumulateGrad(steMask(g, pass));
            if (scale.requiresGrad()) {
                double[] gv = QuantParams.values(g);
                double[] ds = new double[channels];
                for (int k = 0; k < gv.length; k++) ds[chan[k]] += gv[k] * dyds[k];
                for (int c = 0; c < channels; c++) ds[c] = floored[c] ? 0 : ds[c] * gradScale;
                scale.accumulateGrad(Nd4j.create(ds, scale.shape(), 'c').castTo(scale.dataType()));
            }
        }, x, scale);
    }

    /** LSQ's gradient scale 1 / sqrt(N qmax) (Esser et al. 2020, section 2.2), N = elements sharing one step size. */
    public static double lsqGradScale(long elementsPerScale, IntFormat format) {
        if (elementsPerScale < 1) {
            throw new IllegalArgumentException("FakeQuant: expected at least 1 element per scale, got " + elementsPerScale);
        }
        return 1.0 / Math.sqrt((double) elementsPerScale * format.qmax());
    }

    /** g where pass, 0 elsewhere, in g's type and shape. */
    private static INDArray steMask(INDArray g, boolean[] pass) {
        double[] gv = QuantParams.values(g);
        for (int k = 0; k < gv.length; k++) if (!pass[k]) gv[k] = 0;
        return Nd4j.create(gv, g.shape(), 'c').castTo(g.dataType());
    }
}
