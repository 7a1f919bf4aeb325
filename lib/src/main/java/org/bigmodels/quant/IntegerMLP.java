package org.bigmodels.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Integer-only inference of a ReLU {@link MLP} (Jacob et al. 2018, sections 2.2-2.4): uint8 activations (affine,
 * calibrated), int8 weights (symmetric, per output channel, so Z_w = 0), int32 accumulation, int32 bias
 * q_b = round(b / (S_x S_w)), and requantization of each hidden layer with a fixed-point multiplier
 * M_j = S_x S_w,j / S_y = M0 2^-n ({@link FixedPointMultiplier}), the ReLU fused into the clamp [Z_y, 255]. The
 * input's zero point is folded into the bias (q_b - Z_x * sum_i q_w,ij, section 2.3). The last layer returns its int32
 * accumulators; logits = S_x S_w,j acc_j (10 multiplications per example) for argmax and loss.
 *
 * <p>{@link #simulate(INDArray, DataType)} is the float "fake-quant" model of the same numbers (dequantized
 * activations and weights, a float matmul, the output divided by the effective scale S_x S_w,j / M_j and rounded):
 * in FLOAT64 it produces the very same integers as {@link #forwardInts(INDArray)}; in FLOAT32 it cannot, because the
 * int32 accumulators (up to 784 * 255 * 127) exceed float's 24-bit significand.
 */
public final class IntegerMLP {
    private final QuantParams input;
    private final List<QuantParams> weightParams = new ArrayList<>();
    private final List<QuantParams> outputParams = new ArrayList<>(); // hidden layers only
    private final List<byte[]> weightsT = new ArrayList<>();           // [out][in], int8
    private final List<int[]> bias = new ArrayList<>();                 // int32, before folding
    private final List<int[]> foldedBias = new ArrayList<>();           // q_b - Z_x * rowsum(q_w)
    private final List<FixedPointMultiplier[]> multipliers = new ArrayList<>();
    private final long[] sizes;

    /**
     * Quantizes a trained ReLU MLP: weights with {@code weights} (must be symmetric and signed, per tensor or per
     * channel on axis 1), the input and each hidden activation with {@code activations} (unsigned 8-bit affine,
     * per tensor) calibrated on the float model's activations for {@code calibration} [N, in].
     *
     * <p>A pruned (all-zero) output channel quantizes with S_w = 1 (see {@link Quantizer#calibrate}).
     *
     * @throws IllegalArgumentException if the MLP's activation is not ReLU, the formats are not int8 / uint8 or the
     *                                  weight quantizer is not symmetric, calibration is empty, or a bias does not fit
     *                                  int32 at the product of scales S_x S_w, or an accumulator could exceed int32
     *                                  (|bias| + 255 sum|q_w| >= 2^31) (the message names the layer and channel)
     * @throws ShapeException           if calibration is not [N, in]
     */
    public static IntegerMLP quantize(MLP model, INDArray calibration, Quantizer weights, Quantizer activations) {
        return new IntegerMLP(model, calibration, weights, activations);
    }

    /** int8 symmetric per-channel weights, uint8 min-max activations. */
    public static IntegerMLP quantize(MLP model, INDArray calibration) {
        return quantize(model, calibration, Quantizer.symmetric(8).perChannel(1), Quantizer.affine(8));
    }

    private IntegerMLP(MLP model, INDArray calib, Quantizer wq, Quantizer aq) {
        if (model.activation() != Activation.RELU) {
            throw new IllegalArgumentException("IntegerMLP: expected a ReLU MLP (the ReLU is fused into the uint8 "
                    + "clamp), got " + model.activation());
        }
        if (!wq.format().equals(IntFormat.INT8) || wq.scheme() != QuantScheme.SYMMETRIC || wq.groupSize() != 0
                || !(wq.axis() == 1 || wq.axis() == -1)) {
            throw new IllegalArgumentException("IntegerMLP: expected int8 symmetric weights per tensor or per output "
                    + "channel (axis 1), got " + wq);
        }
        if (!aq.format().equals(IntFormat.UINT8) || aq.axis() != -1) {
            throw new IllegalArgumentException("IntegerMLP: expected uint8 per-tensor activations, got " + aq);
        }
        this.sizes = model.sizes();
        checkInput(calib);
        INDArray h = calib.castTo(DataType.DOUBLE);
        this.input = aq.calibrate(h);
        QuantParams inParams = input;
        List<Linear> ls = model.linears();
        for (int l = 0; l < ls.size(); l++) {
            INDArray w = ls.get(l).weight().value();
            INDArray b = ls.get(l).bias() == null ? Nd4j.zeros(DataType.DOUBLE, w.size(1))
                    : ls.get(l).bias().value().castTo(DataType.DOUBLE);
            QuantParams wp = wq.calibrate(w);
            if (wp.count() == 1) { // per tensor: widen to per-channel storage with equal scales
                double[] s = new double[(int) w.size(1)];
                Arrays.fill(s, wp.scale(0));
                wp = QuantParams.perChannel(s, new int[s.length], 1, IntFormat.INT8);
            }
            weightParams.add(wp);
            int in = (int) w.size(0), out = (int) w.size(1);
            int[] q = wp.quantize(w).data().asInt();
            byte[] wt = new byte[out * in];
            for (int i = 0; i < in; i++) for (int j = 0; j < out; j++) wt[j * in + i] = (byte) q[i * out + j];
            weightsT.add(wt);
            double[] bv = b.toDoubleVector();
            int[] qb = new int[out], folded = new int[out];
            for (int j = 0; j < out; j++) {
                double sxw = inParams.scale(0) * wp.scale(j);
                double qbj = Math.rint(bv[j] / sxw);
                long rowSum = 0, absSum = 0;
                for (int i = 0; i < in; i++) {
                    rowSum += wt[j * in + i];
                    absSum += Math.abs(wt[j * in + i]);
                }
                double f = qbj - (double) inParams.zeroPoint(0) * rowSum;
                if (!(Math.abs(qbj) <= Integer.MAX_VALUE) || !(Math.abs(f) <= Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException("IntegerMLP: layer " + l + " (Linear " + in + " -> " + out
                            + "), output channel " + j + ": bias " + bv[j] + " is too large for the product of scales "
                            + "S_x S_w = " + inParams.scale(0) + " * " + wp.scale(j) + " = " + sxw + ": the int32 bias "
                            + "round(b / (S_x S_w)) (with the input zero point folded in) would be " + qbj + " / " + f
                            + ", outside int32 [-2^31, 2^31); the bias dwarfs this channel's weights. Keep this layer in "
                            + "float, or rescale the layer (smaller bias, larger weights) before quantizing");
                }
                if (Math.abs(f) + 255.0 * absSum > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("IntegerMLP: layer " + l + " (Linear " + in + " -> " + out
                            + "), output channel " + j + ": its int32 accumulator can reach |bias| + 255 * sum|q_w| = "
                            + (long) (Math.abs(f) + 255.0 * absSum) + ", beyond int32's 2^31 - 1, and would wrap around "
                            + "silently; split the layer's inputs (in = " + in + ") into chunks or keep it in float");
                }
                qb[j] = (int) qbj;
                folded[j] = (int) f;
            }
            bias.add(qb);
            foldedBias.add(folded);
            h = h.mmul(w.castTo(DataType.DOUBLE)).addiRowVector(b);
            if (l + 1 < ls.size()) {
                h = org.nd4j.linalg.ops.transforms.Transforms.relu(h, false);
                QuantParams op = aq.calibrate(h);
                outputParams.add(op);
                FixedPointMultiplier[] m = new FixedPointMultiplier[out];
                for (int j = 0; j < out; j++) m[j] = FixedPointMultiplier.of(inParams.scale(0) * wp.scale(j) / op.scale(0));
                multipliers.add(m);
                inParams = op;
            }
        }
    }

    private void checkInput(INDArray x) {
        if (x.rank() != 2 || x.size(1) != sizes[0] || x.size(0) < 1) {
            throw new ShapeException("IntegerMLP", "inputs [N, " + sizes[0] + "] with N >= 1", Arrays.toString(x.shape()));
        }
    }

    /** The number of Linear layers. */
    public int layers() {
        return weightsT.size();
    }

    /** The input's (S, Z). */
    public QuantParams inputParams() {
        return input;
    }

    /** The weight parameters of layer l (per channel, axis 1). */
    public QuantParams weightParams(int l) {
        return weightParams.get(l);
    }

    /** The (S, Z) of hidden layer l's output (l < layers() - 1). */
    public QuantParams outputParams(int l) {
        return outputParams.get(l);
    }

    /** The fixed-point multipliers of hidden layer l, one per output channel. */
    public FixedPointMultiplier[] multipliers(int l) {
        return multipliers.get(l).clone();
    }

    /** Layer l's int8 weights as an INT32 array [in, out]. */
    public INDArray weightInts(int l) {
        int in = (int) sizes[l], out = (int) sizes[l + 1];
        int[] q = new int[in * out];
        byte[] wt = weightsT.get(l);
        for (int i = 0; i < in; i++) for (int j = 0; j < out; j++) q[i * out + j] = wt[j * in + i];
        return Nd4j.createFromArray(q).reshape(in, out);
    }

    /** Layer l's int32 bias q_b = round(b / (S_x S_w,j)) (before the input zero point is folded in). */
    public int[] biasInts(int l) {
        return bias.get(l).clone();
    }

    /** The uint8 input of x [N, in], row-major, as bytes (read with {@code & 0xFF}). */
    public byte[] quantizeInput(INDArray x) {
        checkInput(x);
        int[] q = input.quantize(x).data().asInt();
        byte[] b = new byte[q.length];
        for (int k = 0; k < q.length; k++) b[k] = (byte) q[k];
        return b;
    }

    /**
     * The integer-only forward: for each layer, its output integers [N * out] row-major: uint8 codes (as ints) for
     * hidden layers, int32 accumulators for the last. Only integer arithmetic after {@link #quantizeInput}.
     *
     * @throws ShapeException if x is not [N, in]
     */
    public List<int[]> forwardInts(INDArray x) {
        return forwardInts(x, Int8Kernel.PLAIN);
    }

    /**
     * {@link #forwardInts(INDArray)} with the matrix products done by {@code kernel} (e.g. {@link
     * VectorInt8Kernel#INSTANCE}); the same integers whichever kernel.
     *
     * @throws ShapeException if x is not [N, in]
     */
    public List<int[]> forwardInts(INDArray x, Int8Kernel kernel) {
        long widest = java.util.Arrays.stream(sizes).max().getAsLong();
        if (x.rank() == 2 && x.size(0) * widest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("IntegerMLP: " + x.size(0) + " rows x " + widest + " values per row do not fit "
                    + "one Java array (2^31 - 1 entries); pass x in batches of at most " + (Integer.MAX_VALUE - 8) / widest + " rows");
        }
        int n = (int) x.size(0);
        byte[] a = quantizeInput(x);
        List<int[]> outs = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            int in = (int) sizes[l], out = (int) sizes[l + 1];
            int[] acc = new int[n * out];
            kernel.matmul(a, weightsT.get(l), foldedBias.get(l), acc, n, in, out);
            if (l + 1 == layers()) {
                outs.add(acc);
                break;
            }
            FixedPointMultiplier[] m = multipliers.get(l);
            int zy = outputParams.get(l).zeroPoint(0);
            byte[] next = new byte[n * out];
            int[] codes = new int[n * out];
            for (int k = 0; k < acc.length; k++) {
                long q = zy + m[k % out].apply(acc[k]);
                int c = (int) Math.max(zy, Math.min(255, q)); // ReLU fused: nothing below the real 0
                codes[k] = c;
                next[k] = (byte) c;
            }
            outs.add(codes);
            a = next;
        }
        return outs;
    }

    /**
     * acc[r][j] = bias[j] + sum_i x[r][i] * w[j][i], x uint8 (bytes read with {@code & 0xFF}) [n, in], w int8 [out,
     * in] (transposed so that the inner loop is contiguous), acc int32 [n, out]. Plain Java loops, four output
     * channels per pass over a row of x (each x value loaded once for four products); the graded reference is the
     * one-channel loop in the test. {@link Int8Kernel#PLAIN}; the SIMD version is {@link VectorInt8Kernel}.
     *
     * @throws IllegalArgumentException if n, in or out is negative or an array is shorter than its shape says
     */
    public static void int8Matmul(byte[] x, byte[] w, int[] bias, int[] acc, int n, int in, int out) {
        Int8Kernel.checkShapes("IntegerMLP.int8Matmul", x, w, bias, acc, n, in, out);
        for (int r = 0; r < n; r++) {
            int xo = r * in, j = 0;
            for (; j + 3 < out; j += 4) {
                int w0 = j * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
                int s0 = bias[j], s1 = bias[j + 1], s2 = bias[j + 2], s3 = bias[j + 3];
                for (int i = 0; i < in; i++) {
                    int xv = x[xo + i] & 0xFF;
                    s0 += xv * w[w0 + i];
                    s1 += xv * w[w1 + i];
                    s2 += xv * w[w2 + i];
                    s3 += xv * w[w3 + i];
                }
                acc[r * out + j] = s0;
                acc[r * out + j + 1] = s1;
                acc[r * out + j + 2] = s2;
                acc[r * out + j + 3] = s3;
            }
            for (; j < out; j++) {
                int wo = j * in, s = bias[j];
                for (int i = 0; i < in; i++) s += (x[xo + i] & 0xFF) * w[wo + i];
                acc[r * out + j] = s;
            }
        }
    }

    /** The logits [N, classes] of the integer path: S_x S_w,j acc_j of the last layer, FLOAT. */
    public INDArray logits(INDArray x) {
        int[] acc = forwardInts(x).get(layers() - 1);
        int out = (int) sizes[sizes.length - 1];
        double sx = layers() == 1 ? input.scale(0) : outputParams.get(layers() - 2).scale(0);
        QuantParams wp = weightParams.get(layers() - 1);
        double[] v = new double[acc.length];
        for (int k = 0; k < acc.length; k++) v[k] = sx * wp.scale(k % out) * acc[k];
        return Nd4j.create(v, new long[] {x.size(0), out}, 'c').castTo(DataType.FLOAT);
    }

    /** The predicted classes through the integer path (argmax of the accumulators' logits). */
    public int[] predict(INDArray x) {
        return logits(x).argMax(1).toIntVector();
    }

    /**
     * The fake-quant float simulation of the same model in the given float type: x_hat = S_x (q_x - Z_x), W_hat =
     * S_w q_w, b_hat = S_x S_w q_b, y = x_hat W_hat + b_hat (an ND4J matmul), then the integers it implies: hidden
     * layers clamp(Z_y + floor(y / (S_x S_w,j / M_j) + 1/2), Z_y, 255), the last layer round(y / (S_x S_w,j)).
     *
     * @param type DataType.DOUBLE (agrees exactly with {@link #forwardInts}) or DataType.FLOAT (does not, always)
     */
    public List<int[]> simulate(INDArray x, DataType type) {
        checkInput(x);
        int n = (int) x.size(0);
        QuantParams inP = input;
        INDArray a = input.fakeQuantize(x.castTo(DataType.DOUBLE)).castTo(type);
        List<int[]> outs = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            int out = (int) sizes[l + 1];
            QuantParams wp = weightParams.get(l);
            INDArray wHat = wp.dequantize(weightInts(l)).castTo(DataType.DOUBLE);
            double[] bHat = new double[out], eff = new double[out];
            int[] qb = bias.get(l);
            FixedPointMultiplier[] m = l + 1 < layers() ? multipliers.get(l) : null;
            for (int j = 0; j < out; j++) {
                double sxw = inP.scale(0) * wp.scale(j);
                bHat[j] = sxw * qb[j];
                eff[j] = m == null ? sxw : sxw / m[j].value();
            }
            wHat = Nd4j.create(wHat.toDoubleMatrix()).castTo(type); // exact dequantized values, then cast
            INDArray y = a.mmul(wHat).addiRowVector(Nd4j.createFromArray(bHat).castTo(type));
            double[] yv = y.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            int[] q = new int[yv.length];
            if (m == null) {
                for (int k = 0; k < yv.length; k++) q[k] = (int) Math.rint(yv[k] / eff[k % out]);
                outs.add(q);
                break;
            }
            QuantParams op = outputParams.get(l);
            int zy = op.zeroPoint(0);
            double[] deq = new double[yv.length];
            for (int k = 0; k < yv.length; k++) {
                long v = zy + (long) Math.floor(yv[k] / eff[k % out] + 0.5);
                q[k] = (int) Math.max(zy, Math.min(255, v));
                deq[k] = op.scale(0) * (q[k] - zy);
            }
            outs.add(q);
            a = Nd4j.create(deq, new long[] {n, out}, 'c').castTo(type);
            inP = op;
        }
        return outs;
    }

    /** Bytes of the integer model: int8 weights, int32 biases, a float32 scale per channel and per activation. */
    public long storageBytes() {
        long b = 0;
        for (int l = 0; l < layers(); l++) b += weightsT.get(l).length + 4L * bias.get(l).length + 4L * weightParams.get(l).count();
        return b + 5L * (outputParams.size() + 1);
    }
}
