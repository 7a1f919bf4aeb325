package org.bigmodels.dl4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Converts the course's {@link MLP} to a DL4J {@link MultiLayerNetwork} and back, copying the weights both ways.
 *
 * <p>Why: the course builds its models on its own small engine so every gradient is visible, but learners (and
 * later parts: pruning, quantization, distillation in part 3) want to apply what they learn to a DL4J model they
 * already have. The two layouts agree on purpose: a course {@link Linear} keeps W as [in, out] and b as [out];
 * DL4J's DenseLayer keeps W as [nIn, nOut] and b as [1, nOut]. So the i-th Linear layer ("2i.weight", "2i.bias";
 * activations sit at the odd positions) is DL4J layer i ("i_W", "i_b"); see {@link #dl4jParamNames(MLP)}.
 *
 * <pre>
 *   MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp, new Sgd(0.05)); // hidden DenseLayers, softmax OutputLayer
 *   MLP back = Dl4jBridge.fromMultiLayerNetwork(net);                          // a user's own DL4J MLP, as a course model
 *   Dl4jBridge.copyWeights(mlp, net);  Dl4jBridge.copyWeights(net, mlp);      // sync after training either one
 * </pre>
 *
 * <p>The DL4J network ends in a softmax {@link OutputLayer} with the MCXENT loss; the course MLP outputs logits and
 * applies the softmax inside {@code Ops.crossEntropy}. Same function, same loss (both average over the minibatch).
 * One difference to know when comparing gradients: after {@code net.computeGradientAndScore()}, DL4J's
 * {@code net.gradient()} holds the <em>sum</em> over the minibatch; its updater divides by the minibatch size
 * before the step. The course's gradients are already means. Shown side by side in 03-mlp-mnist.
 *
 * <p>Weights are copied, never shared: changing one model afterwards does not change the other.
 */
public final class Dl4jBridge {
    private Dl4jBridge() {}

    // =================================================================== course -> DL4J

    /** A DL4J network with the MLP's architecture and weights and no updater (NoOp): for inference and comparison. */
    public static MultiLayerNetwork toMultiLayerNetwork(MLP mlp) {
        return toMultiLayerNetwork(mlp, new NoOp());
    }

    /** A DL4J network with the MLP's architecture and weights, trained by plain SGD at {@code learningRate}. */
    public static MultiLayerNetwork toMultiLayerNetwork(MLP mlp, double learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("toMultiLayerNetwork: expected a positive learning rate, got "
                    + learningRate);
        }
        return toMultiLayerNetwork(mlp, new Sgd(learningRate));
    }

    /**
     * A DL4J network with the MLP's architecture and weights and the given updater (e.g. {@code new Sgd(0.05)},
     * {@code new Nesterovs(0.05, 0.9)}, {@code new Adam(1e-3)}): DenseLayers with the MLP's activation, then an
     * OutputLayer (softmax, MCXENT), in the MLP's data type, no regularization.
     */
    public static MultiLayerNetwork toMultiLayerNetwork(MLP mlp, IUpdater updater) {
        if (mlp == null || updater == null) {
            throw new IllegalArgumentException("toMultiLayerNetwork: expected an MLP and an updater, got mlp=" + mlp
                    + ", updater=" + updater);
        }
        DataType type = checkType(mlp.dataType(), "the MLP");
        IActivation hidden = toDl4j(mlp.activation());
        List<Linear> linears = mlp.linears();
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(12345) // the weights are overwritten below; a seed keeps even the throwaway init repeatable
                .dataType(type)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list();
        for (int i = 0; i < linears.size(); i++) {
            Linear l = linears.get(i);
            if (l.bias() == null) {
                throw new IllegalArgumentException("toMultiLayerNetwork: Linear layer " + i + " has no bias; DL4J's "
                        + "DenseLayer always has one. Build the MLP with biases.");
            }
            if (i + 1 < linears.size()) {
                b.layer(new DenseLayer.Builder().nIn(l.in()).nOut(l.out()).activation(hidden).build());
            } else {
                b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(l.in()).nOut(l.out())
                        .activation(new ActivationSoftmax()).build());
            }
        }
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        copyWeights(mlp, net);
        return net;
    }

    // =================================================================== DL4J -> course

    /**
     * A course MLP with the network's sizes, activation, data type and weights. Accepted: DenseLayers with one
     * activation (ReLU, tanh, sigmoid, identity, or GELU in its precise tanh form), with biases and no layer norm,
     * then a final OutputLayer or DenseLayer whose activation is softmax or identity (the MLP returns the logits; its
     * loss applies the softmax). Anything else is refused, naming the layer's index and type.
     */
    public static MLP fromMultiLayerNetwork(MultiLayerNetwork net) {
        if (net == null) throw new IllegalArgumentException("fromMultiLayerNetwork: expected a network, got null");
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        int n = conf.getConfs().size();
        if (n == 0) throw new IllegalArgumentException("fromMultiLayerNetwork: the network has no layers");
        DataType type = checkType(conf.getDataType(), "the network");
        long[] sizes = new long[n + 1];
        Activation hidden = null;
        for (int i = 0; i < n; i++) {
            Layer layer = conf.getConf(i).getLayer();
            boolean last = i == n - 1;
            boolean dense = layer instanceof DenseLayer;
            boolean output = layer instanceof OutputLayer;
            if (!dense && !(output && last)) {
                throw unsupported(i, layer, last ? "a DenseLayer or an OutputLayer" : "a DenseLayer"
                        + (output ? " (an OutputLayer may only be the last layer)" : ""));
            }
            if (dense && (((DenseLayer) layer).hasLayerNorm() || !((DenseLayer) layer).hasBias())) {
                throw unsupported(i, layer, "a DenseLayer with a bias and without layer norm");
            }
            if (output && !((OutputLayer) layer).hasBias()) {
                throw unsupported(i, layer, "an OutputLayer with a bias");
            }
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            if (i > 0 && ff.getNIn() != sizes[i]) {
                throw new IllegalArgumentException("fromMultiLayerNetwork: layer " + i + " expects nIn=" + ff.getNIn()
                        + " but layer " + (i - 1) + " gives nOut=" + sizes[i]);
            }
            sizes[i] = ff.getNIn();
            sizes[i + 1] = ff.getNOut();
            IActivation act = ((BaseLayer) layer).getActivationFn();
            if (last) {
                if (!(act instanceof ActivationSoftmax) && !(act instanceof ActivationIdentity)) {
                    throw new IllegalArgumentException("fromMultiLayerNetwork: the last layer (" + i + ", "
                            + layer.getClass().getSimpleName() + ") has activation " + act + "; expected softmax or "
                            + "identity, because the course MLP returns logits and its loss applies the softmax");
                }
            } else {
                Activation a = fromDl4j(act, i);
                if (hidden != null && hidden != a) {
                    throw new IllegalArgumentException("fromMultiLayerNetwork: hidden layers use different activations ("
                            + hidden + " before layer " + i + ", " + a + " at layer " + i + "); the course MLP has one "
                            + "activation for all hidden layers");
                }
                hidden = a;
            }
        }
        MLP mlp = new MLP(sizes, hidden == null ? Activation.IDENTITY : hidden, type, 0);
        copyWeights(net, mlp);
        return mlp;
    }

    // =================================================================== weights both ways

    /** Copies every weight and bias of the MLP into the network (same architecture, same data type). */
    public static void copyWeights(MLP from, MultiLayerNetwork to) {
        List<Linear> linears = checkMatch(from, to, "copyWeights(MLP -> MultiLayerNetwork)");
        for (int i = 0; i < linears.size(); i++) {
            Linear l = linears.get(i);
            to.setParam(i + "_W", l.weight().value());
            to.setParam(i + "_b", l.bias().value().reshape(1, l.out()));
        }
    }

    /** Copies every weight and bias of the network into the MLP (same architecture, same data type). */
    public static void copyWeights(MultiLayerNetwork from, MLP to) {
        List<Linear> linears = checkMatch(to, from, "copyWeights(MultiLayerNetwork -> MLP)");
        for (int i = 0; i < linears.size(); i++) {
            Linear l = linears.get(i);
            // DL4J's parameters are views into one flat buffer, in 'f' order; dup('c') gives the course's layout
            l.weight().setValue(from.getParam(i + "_W").dup('c'));
            l.bias().setValue(from.getParam(i + "_b").dup('c').reshape(l.out()));
        }
    }

    /**
     * The DL4J name of each course parameter: "0.weight" -> "0_W", "0.bias" -> "0_b", "2.weight" -> "1_W", ... in
     * {@link MLP#namedParameters()} order. Use it to look up DL4J gradients or to prune/quantize by name.
     */
    public static Map<String, String> dl4jParamNames(MLP mlp) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < mlp.linears().size(); i++) {
            names.put((2 * i) + ".weight", i + "_W");
            names.put((2 * i) + ".bias", i + "_b");
        }
        return names;
    }

    // =================================================================== activations

    /** DL4J's activation for a course activation. GELU maps to DL4J's precise (tanh) GELU, checked numerically. */
    public static IActivation toDl4j(Activation a) {
        return switch (a) {
            case RELU -> new ActivationReLU();
            case TANH -> new ActivationTanH();
            case SIGMOID -> new ActivationSigmoid();
            case IDENTITY -> new ActivationIdentity();
            case GELU -> {
                checkPreciseGeluIsTanhForm();
                yield new ActivationGELU(true);
            }
        };
    }

    private static Activation fromDl4j(IActivation act, int layer) {
        if (act instanceof ActivationReLU) return Activation.RELU;
        if (act instanceof ActivationTanH) return Activation.TANH;
        if (act instanceof ActivationSigmoid) return Activation.SIGMOID;
        if (act instanceof ActivationIdentity) return Activation.IDENTITY;
        if (act instanceof ActivationGELU g) {
            if (!g.isPrecise()) {
                throw new IllegalArgumentException("fromMultiLayerNetwork: layer " + layer + " uses DL4J's default GELU, "
                        + "the approximation x*sigmoid(1.702x); the course's GELU is the tanh form "
                        + "0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3))). Use new ActivationGELU(true) in the DL4J model");
            }
            checkPreciseGeluIsTanhForm();
            return Activation.GELU;
        }
        throw new IllegalArgumentException("fromMultiLayerNetwork: layer " + layer + " has activation " + act
                + "; the course MLP supports RELU, TANH, SIGMOID, IDENTITY and GELU (precise)");
    }

    /** Null until checked; then null-free: "" when DL4J's precise GELU is the course's, else why not. */
    private static volatile String geluProblem;

    /**
     * The course's GELU is the tanh form {@code 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))} (GPT-2's). DL4J 1.0.0-M2.1
     * has none equal to it: its default GELU is {@code x*sigmoid(1.702x)} and its "precise" one computes
     * {@code 0.5x(1+tanh(sqrt(2/pi)x))}, without the cubic term (up to 0.02 apart at x = -3). So the bridge
     * compares DL4J's precise GELU with {@code Ops.gelu} on a few points, once, and refuses GELU models while they
     * differ, instead of producing a DL4J model that computes something else. A DL4J release that fixes it passes.
     */
    private static void checkPreciseGeluIsTanhForm() {
        if (geluProblem == null) {
            double[] xs = {-3, -1.5, -0.5, 0, 0.3, 1, 2.5};
            INDArray x = Nd4j.createFromArray(xs);
            INDArray dl4j = new ActivationGELU(true).getActivation(x.dup(), false);
            INDArray ours;
            try (var off = Tensor.noGrad()) {
                ours = Tensor.of(x).gelu().value();
            }
            double worst = dl4j.sub(ours).amaxNumber().doubleValue();
            geluProblem = worst <= 1e-6 ? "" : "DL4J's GELU is not the course's: the course uses the tanh form "
                    + "0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3))), DL4J's default GELU is x*sigmoid(1.702x) and its "
                    + "precise GELU (ActivationGELU(true)) differs from the tanh form by up to " + String.format("%.3g", worst)
                    + " on " + Arrays.toString(xs) + " (in DL4J 1.0.0-M2.1 it lacks the 0.044715x^3 term). The bridge "
                    + "refuses GELU models rather than convert them into a different function; use RELU, TANH or SIGMOID";
        }
        if (!geluProblem.isEmpty()) {
            throw new UnsupportedOperationException(geluProblem);
        }
    }

    // =================================================================== checks

    private static DataType checkType(DataType type, String what) {
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("Dl4jBridge: expected " + what + " in FLOAT or DOUBLE, got " + type
                    + "; convert it first");
        }
        return type;
    }

    /** Same number of layers, same [in, out] per layer, same data type; returns the MLP's Linear layers. */
    private static List<Linear> checkMatch(MLP mlp, MultiLayerNetwork net, String op) {
        if (mlp == null || net == null) {
            throw new IllegalArgumentException(op + ": expected an MLP and a network, got " + mlp + " and " + net);
        }
        List<Linear> linears = mlp.linears();
        int layers = net.getnLayers();
        if (layers != linears.size()) {
            throw new IllegalArgumentException(op + ": expected a network with " + linears.size()
                    + " layers (the MLP's Linear layers, sizes " + Arrays.toString(mlp.sizes()) + "), got " + layers
                    + "; build it with Dl4jBridge.toMultiLayerNetwork(mlp)");
        }
        DataType netType = net.getLayerWiseConfigurations().getDataType();
        if (netType != mlp.dataType()) {
            throw new IllegalArgumentException(op + ": expected one data type, got MLP " + mlp.dataType()
                    + " and network " + netType + "; build the MLP (or network) in the other's type");
        }
        for (int i = 0; i < linears.size(); i++) {
            Linear l = linears.get(i);
            Layer layer = net.getLayerWiseConfigurations().getConf(i).getLayer();
            if (!(layer instanceof DenseLayer) && !(layer instanceof OutputLayer)) {
                throw unsupported(i, layer, "a DenseLayer or an OutputLayer");
            }
            INDArray w = net.getParam(i + "_W"), bias = net.getParam(i + "_b");
            long[] wantW = {l.in(), l.out()};
            if (!Arrays.equals(w.shape(), wantW) || bias == null || bias.length() != l.out()) {
                throw new IllegalArgumentException(op + ": layer " + i + " shapes differ: MLP weight "
                        + Arrays.toString(wantW) + ", bias [" + l.out() + "]; network " + i + "_W "
                        + Arrays.toString(w.shape()) + ", " + i + "_b "
                        + (bias == null ? "none" : Arrays.toString(bias.shape())));
            }
        }
        return linears;
    }

    private static IllegalArgumentException unsupported(int index, Layer layer, String expected) {
        return new IllegalArgumentException("Dl4jBridge: layer " + index + " is a " + layer.getClass().getSimpleName()
                + (layer.getLayerName() != null ? " ('" + layer.getLayerName() + "')" : "") + "; expected " + expected
                + ". The bridge converts multi-layer perceptrons only (DenseLayers, then an OutputLayer)");
    }
}
