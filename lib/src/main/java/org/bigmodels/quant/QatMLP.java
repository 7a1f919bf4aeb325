package org.bigmodels.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Quantization-aware training (QAT) of a ReLU {@link MLP} at b bits: a copy of the float model with a fake-quantization
 * node ({@link FakeQuant#learned}) in front of every Linear's input (per tensor, unsigned b-bit, Z = 0: the image
 * pixels and the ReLU outputs are non-negative) and on every weight W [in, out] (per output channel, signed b-bit,
 * symmetric; or one step per matrix, {@link #perTensorWeights}). The step sizes are parameters learned with LSQ (Esser et al. 2020) next to the weights; biases and the
 * logits stay float (an integer kernel keeps them in int32, see {@link IntegerMLP}).
 *
 * <p>The step sizes start where post-training quantization (PTQ) puts them: weights per channel and activations per
 * tensor calibrated on the float model with min-max observers (the default PTQ of TF-MOT and PyTorch) or, on request,
 * MSE-optimal clipping ({@link MseObserver}). So a fresh QatMLP IS the PTQ
 * model (evaluate it to get PTQ's accuracy), and training it with the course {@link org.bigmodels.train.Trainer} (its
 * {@link #parameters()} = the weights, biases and step sizes) is QAT, fine-tuning from the float model (Krishnamoorthi
 * 2018, section 3.3; Jacob et al. 2018, section 3). The float model passed in is not changed.
 *
 * <p>Parameters: "mlp.0.weight", "mlp.0.bias", ... (the shadow float weights), "wScale0" [out] and "aScale0" [1] per
 * Linear layer l = 0, 1, ...
 */
public final class QatMLP extends Module implements Layer {
    private final MLP mlp;
    private final int bits;
    private final IntFormat weightFormat;
    private final IntFormat activationFormat;
    private final List<Tensor> weightScales = new ArrayList<>();
    private final List<Tensor> activationScales = new ArrayList<>();
    private final boolean perChannelWeights;

    private QatMLP(MLP floatModel, int bits, INDArray calibration, boolean mse, boolean perChannelWeights) {
        if (floatModel.activation() != Activation.RELU) {
            throw new IllegalArgumentException("QatMLP: expected a ReLU MLP (its activations are quantized as unsigned "
                    + "integers), got " + floatModel.activation());
        }
        long[] sizes = floatModel.sizes();
        if (calibration.rank() != 2 || calibration.size(1) != sizes[0] || calibration.size(0) < 1) {
            throw new ShapeException("QatMLP", "calibration inputs [N, " + sizes[0] + "] with N >= 1",
                    Arrays.toString(calibration.shape()));
        }
        this.bits = bits;
        this.perChannelWeights = perChannelWeights;
        this.weightFormat = IntFormat.signed(bits);
        this.activationFormat = IntFormat.unsigned(bits);
        this.mlp = child("mlp", new MLP(sizes, Activation.RELU, floatModel.dataType(), 0));
        var from = floatModel.namedParameters();
        mlp.namedParameters().forEach((name, t) -> t.value().assign(from.get(name).value()));
        Quantizer wq = perChannelWeights ? Quantizer.symmetric(bits).perChannel(1) : Quantizer.symmetric(bits);
        Quantizer aq = Quantizer.affine(bits);
        if (mse) {
            wq = wq.withObserver(() -> new MseObserver(QuantScheme.SYMMETRIC, weightFormat));
            aq = aq.withObserver(() -> new MseObserver(QuantScheme.AFFINE, activationFormat));
        }
        DataType type = floatModel.dataType();
        INDArray h = calibration.castTo(DataType.DOUBLE);
        List<Linear> ls = mlp.linears();
        for (int l = 0; l < ls.size(); l++) {
            Linear lin = ls.get(l);
            QuantParams ap = aq.calibrate(h);
            if (ap.zeroPoint(0) != 0) throw new IllegalStateException("QatMLP: expected Z = 0 for non-negative inputs, got " + ap);
            activationScales.add(param("aScale" + l, org.nd4j.linalg.factory.Nd4j.createFromArray(ap.scales()).castTo(type)));
            QuantParams wp = wq.calibrate(lin.weight().value());
            weightScales.add(param("wScale" + l, org.nd4j.linalg.factory.Nd4j.createFromArray(wp.scales()).castTo(type)));
            h = h.mmul(lin.weight().value().castTo(DataType.DOUBLE)).addiRowVector(lin.bias().value().castTo(DataType.DOUBLE));
            if (l + 1 < ls.size()) h = Transforms.relu(h, false);
        }
    }

    /**
     * The b-bit fake-quantized copy of a trained ReLU MLP, step sizes calibrated on {@code calibration} [N, in] (a few
     * thousand training inputs): the PTQ model, ready for QAT.
     *
     * @throws IllegalArgumentException if bits is outside 2..8, the MLP is not ReLU, or a tensor has a zero range
     * @throws ShapeException           if calibration is not [N, in]
     */
    public static QatMLP from(MLP floatModel, int bits, INDArray calibration) {
        return new QatMLP(floatModel, bits, calibration, false, true);
    }

    /**
     * As {@link #from(MLP, int, INDArray)}, the step sizes calibrated with min-max observers ({@code mse = false}: the
     * range of the data, TF-MOT's and PyTorch's default) or MSE-optimal clipping ({@code mse = true}: a stronger PTQ,
     * {@link MseObserver}, slower to calibrate).
     */
    public static QatMLP from(MLP floatModel, int bits, INDArray calibration, boolean mse) {
        return new QatMLP(floatModel, bits, calibration, mse, true);
    }

    /**
     * As {@link #from(MLP, int, INDArray)} but with ONE step size per weight matrix (per tensor, symmetric, min-max:
     * the largest |W| of the layer sets the grid of every channel) instead of one per output channel. The coarser
     * setting of Krishnamoorthi 2018 (section 3.1, table 2; figure 7's "per-layer" curves), where a channel with small
     * weights gets few integer levels and 4-bit PTQ loses clearly more; parameters "wScale0" ... of shape [1].
     *
     * @throws IllegalArgumentException if bits is outside 2..8, the MLP is not ReLU, or a tensor has a zero range
     * @throws ShapeException           if calibration is not [N, in]
     */
    public static QatMLP perTensorWeights(MLP floatModel, int bits, INDArray calibration) {
        return new QatMLP(floatModel, bits, calibration, false, false);
    }

    /** Logits [N, out] of x [N, in] through the fake-quantized layers (records the graph, like {@link MLP#forward}). */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        List<Linear> ls = mlp.linears();
        for (int l = 0; l < ls.size(); l++) {
            Linear lin = ls.get(l);
            long[] ws = lin.weight().shape();
            Tensor xq = FakeQuant.learned(h, activationScales.get(l), -1, activationFormat,
                    FakeQuant.lsqGradScale(h.value().length() / h.size(0) , activationFormat));
            Tensor wq = FakeQuant.learned(lin.weight(), weightScales.get(l), weightAxis(), weightFormat,
                    FakeQuant.lsqGradScale(perChannelWeights ? ws[0] : ws[0] * ws[1], weightFormat));
            h = Ops.linear(xq, wq, lin.bias());
            if (l + 1 < ls.size()) h = Ops.relu(h);
        }
        return h;
    }

    /**
     * Logits for inputs x [N, in] of the model's type.
     *
     * @throws ShapeException           if x is not [N, in]
     * @throws IllegalArgumentException if x's type is not the model's
     */
    public Tensor forward(INDArray x) {
        long in = mlp.sizes()[0];
        if (x.rank() != 2 || x.size(1) != in || x.size(0) < 1) {
            throw new ShapeException("QatMLP", "inputs [N, " + in + "] with N >= 1", Arrays.toString(x.shape()));
        }
        if (x.dataType() != mlp.dataType()) {
            throw new IllegalArgumentException("QatMLP: expected inputs of type " + mlp.dataType() + ", got "
                    + x.dataType() + "; cast them with x.castTo(DataType." + mlp.dataType() + ")");
        }
        return forward(Tensor.of(x));
    }

    /** The predicted class of each row of x [N, in], without a graph. */
    public int[] predict(INDArray x) {
        try (var off = Tensor.noGrad()) {
            return forward(x).value().argMax(1).toIntVector();
        }
    }

    /** The bit width of weights and activations. */
    public int bits() {
        return bits;
    }

    /** True if the weights have one step size per output channel, false if one per matrix ({@link #perTensorWeights}). */
    public boolean perChannelWeights() {
        return perChannelWeights;
    }

    private int weightAxis() {
        return perChannelWeights ? 1 : -1;
    }

    /** The shadow float model being trained (its weights, before fake quantization). */
    public MLP mlp() {
        return mlp;
    }

    /** Layer l's weight step sizes, one per output channel (one in all with {@link #perTensorWeights}; a copy). */
    public double[] weightScales(int l) {
        return weightScales.get(l).value().castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** Layer l's input step size. */
    public double activationScale(int l) {
        return activationScales.get(l).value().getDouble(0);
    }

    /** Layer l's weight as the quantized model stores it: S_j round(W_ij / S_j), clamped (a copy). */
    public INDArray quantizedWeight(int l) {
        try (var off = Tensor.noGrad()) {
            Linear lin = mlp.linears().get(l);
            return FakeQuant.learned(lin.weight(), weightScales.get(l), weightAxis(), weightFormat, 1).value().dup();
        }
    }
}
