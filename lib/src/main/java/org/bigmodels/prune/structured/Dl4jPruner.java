package org.bigmodels.prune.structured;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Structured pruning of a user's own DL4J {@link MultiLayerNetwork}: neurons of a {@code DenseLayer} and filters of a
 * {@code ConvolutionLayer} are ranked and physically removed. The result is a new MultiLayerNetwork (a new
 * configuration with the smaller nOut/nIn, and the kept weights copied) that outputs, fits, and saves and loads with
 * {@code ModelSerializer} like any other.
 *
 * <p>What removing unit j of layer L changes: L's weights (dense W [nIn, nOut]: column j; conv W
 * [nOut, nIn, kH, kW]: filter j) and bias entry j; every batch normalization between L and the next weighted layer
 * (gamma, beta, mean, var: entry j); and that next layer's inputs: a conv's input channel j (W[:, j, :, :]); a dense
 * layer's row j; or, after a CNN-to-dense flatten of an H×W×C map, the H·W rows of channel j: rows
 * {@code j·H·W .. j·H·W + H·W − 1} in DL4J's default NCHW order (rows {@code p·C + j} for NHWC), and the flatten's
 * channel count. Pooling, activation, dropout, zero-padding and global-pooling layers in between pass channels
 * through unchanged. Other layer types are refused with an error naming them.
 *
 * <p>Layers are named by {@code getLayerName()} if set, else by their index as a string ("0", "1", ...). Scores:
 * {@link Importance#L1}/{@link Importance#L2} of each unit's weights (Li et al. 2017), MEAN_ACTIVATION from
 * {@code feedForward}, TAYLOR from one {@code computeGradientAndScore} as |Σ over the unit's inputs to the next layer
 * of W·dL/dW| (Molchanov et al. 2017; with a batch norm in between it is the importance of the normalized channel,
 * which is what removal zeroes). Taught in 13-structured-pruning.
 */
public final class Dl4jPruner {
    private Dl4jPruner() {}

    /** The names of the layers whose units can be pruned (dense and convolution layers followed by a weighted one). */
    public static List<String> prunableLayers(MultiLayerNetwork net) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer l = conf(net, i);
            if (isProducer(l) && consumerIndex(net, i, false) >= 0) names.add(name(net, i));
        }
        return names;
    }

    /**
     * One score per unit (neuron or filter) of the named layer, larger = keep.
     *
     * @param data features and labels for MEAN_ACTIVATION (features only) and TAYLOR; may be null for L1/L2
     * @throws IllegalArgumentException for an unknown or unprunable layer, or a data-driven score without data
     */
    public static double[] scores(MultiLayerNetwork net, String layer, Importance importance, DataSet data) {
        int i = index(net, layer);
        INDArray w = net.getLayer(i).getParam("W");
        boolean conv = conf(net, i) instanceof ConvolutionLayer;
        switch (importance) {
            case L1: return UnitSelection.norms(w, conv ? 0 : 1, 1);
            case L2: return UnitSelection.norms(w, conv ? 0 : 1, 2);
            case MEAN_ACTIVATION: {
                if (data == null) throw new IllegalArgumentException("Dl4jPruner: MEAN_ACTIVATION needs a DataSet");
                INDArray a = net.feedForward(data.getFeatures(), false).get(i + 1);
                int axis = a.rank() == 4 && nhwc(conf(net, i)) ? 3 : 1;
                return divide(UnitSelection.norms(a, axis, 1), (double) a.length() / a.size(axis)); // mean |a|
            }
            case TAYLOR: {
                if (data == null) throw new IllegalArgumentException("Dl4jPruner: TAYLOR needs a DataSet");
                int c = consumerIndex(net, i, true);
                MultiLayerNetwork copy = net.clone();
                copy.setInput(data.getFeatures());
                copy.setLabels(data.getLabels());
                copy.computeGradientAndScore();
                INDArray g = copy.gradient().getGradientFor(c + "_W");
                INDArray wg = net.getLayer(c).getParam("W").mul(g);
                long units = ((FeedForwardLayer) conf(net, i)).getNOut();
                double[] s = new double[(int) units];
                for (int j = 0; j < units; j++) {
                    s[j] = Math.abs(Slices.take(wg, inputAxis(net, c), consumerInputs(net, i, c, new int[] {j}))
                            .sumNumber().doubleValue());
                }
                return s;
            }
            default: throw new AssertionError(importance);
        }
    }

    /**
     * A new network keeping only the units {@code keep} (ascending indices) of the named layer.
     *
     * @throws IllegalArgumentException for an unknown or unprunable layer, or keep empty, unsorted or out of range
     */
    public static MultiLayerNetwork prune(MultiLayerNetwork net, String layer, int[] keep) {
        int i = index(net, layer);
        long n = ((FeedForwardLayer) conf(net, i)).getNOut();
        UnitSelection.check(keep, n, "layer '" + layer + "'");
        int c = consumerIndex(net, i, true);
        int[] inputs = consumerInputs(net, i, c, keep);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        ((FeedForwardLayer) conf.getConf(i).getLayer()).setNOut(keep.length);
        for (int k = i + 1; k < c; k++) {
            if (conf.getConf(k).getLayer() instanceof BatchNormalization bn) {
                bn.setNIn(keep.length);
                bn.setNOut(keep.length);
            }
        }
        ((FeedForwardLayer) conf.getConf(c).getLayer()).setNIn(inputs.length);
        InputPreProcessor pre = conf.getInputPreProcess(c);
        if (pre instanceof CnnToFeedForwardPreProcessor flat) {
            Map<Integer, InputPreProcessor> pres = new HashMap<>(conf.getInputPreProcessors());
            pres.put(c, new CnnToFeedForwardPreProcessor(flat.getInputHeight(), flat.getInputWidth(), keep.length,
                    flat.getFormat()));
            conf.setInputPreProcessors(pres);
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int k = 0; k < net.getnLayers(); k++) {
            boolean conv = conf(net, k) instanceof ConvolutionLayer;
            for (Map.Entry<String, INDArray> e : net.getLayer(k).paramTable().entrySet()) {
                INDArray v = e.getValue();
                String p = e.getKey();
                if (k == i) {
                    v = p.equals("W") ? Slices.take(v, conv ? 0 : 1, keep) : Slices.take(v, v.rank() - 1, keep);
                } else if (k > i && k < c) {
                    v = Slices.take(v, v.rank() - 1, keep);          // batch norm: gamma, beta, mean, var [1, C]
                } else if (k == c && p.equals("W")) {
                    v = Slices.take(v, inputAxis(net, c), inputs);
                }
                out.getLayer(k).paramTable().get(p).assign(v);
            }
        }
        return out;
    }

    /**
     * Scores each named layer and removes the given fraction of its lowest-scored units, one layer after the other
     * (each scored on the network pruned so far).
     *
     * @param fractions layer name -> fraction of its units to remove, in [0, 1)
     * @throws IllegalArgumentException for an unknown layer, a fraction outside [0, 1), or one that removes all units
     */
    public static MultiLayerNetwork prune(MultiLayerNetwork net, Map<String, Double> fractions, Importance importance,
                                         DataSet data) {
        MultiLayerNetwork cur = net;
        for (Map.Entry<String, Double> e : new LinkedHashMap<>(fractions).entrySet()) {
            index(net, e.getKey());
            int[] keep = UnitSelection.keep(scores(cur, e.getKey(), importance, data), e.getValue(),
                    "layer '" + e.getKey() + "'");
            cur = prune(cur, e.getKey(), keep);
        }
        return cur;
    }

    /**
     * A copy of the network, same configuration, whose next weighted layer ignores the units not in {@code keep}
     * (its inputs from them zeroed): the reference the pruned network must match.
     */
    public static MultiLayerNetwork masked(MultiLayerNetwork net, String layer, int[] keep) {
        int i = index(net, layer);
        UnitSelection.check(keep, ((FeedForwardLayer) conf(net, i)).getNOut(), "layer '" + layer + "'");
        int c = consumerIndex(net, i, true);
        MultiLayerNetwork out = net.clone();
        Slices.zeroOthers(out.getLayer(c).getParam("W"), inputAxis(net, c), consumerInputs(net, i, c, keep));
        return out;
    }

    /** The layer names this class accepts, in order: getLayerName() if set, else the index as a string. */
    public static List<String> layerNames(MultiLayerNetwork net) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) names.add(name(net, i));
        return names;
    }

    // ------------------------------------------------------------------ structure

    private static Layer conf(MultiLayerNetwork net, int i) {
        return net.getLayerWiseConfigurations().getConf(i).getLayer();
    }

    private static String name(MultiLayerNetwork net, int i) {
        String n = conf(net, i).getLayerName();
        return n == null || n.isBlank() ? Integer.toString(i) : n;
    }

    private static boolean isProducer(Layer l) {
        return l.getClass() == DenseLayer.class || l.getClass() == ConvolutionLayer.class;
    }

    private static boolean nhwc(Layer l) {
        return l instanceof ConvolutionLayer cl && cl.getCnn2dDataFormat() == CNN2DFormat.NHWC;
    }

    private static int index(MultiLayerNetwork net, String layer) {
        List<String> names = layerNames(net);
        int i = names.indexOf(layer);
        if (i < 0 && layer != null && layer.matches("\\d+") && Integer.parseInt(layer) < names.size()) {
            i = Integer.parseInt(layer);
        }
        if (i < 0 || !isProducer(conf(net, i))) {
            throw new IllegalArgumentException("Dl4jPruner: no prunable layer named '" + layer + "'; the prunable "
                    + "layers are " + prunableLayers(net) + " (dense and convolution layers followed by a weighted "
                    + "layer; all layers: " + names + ")");
        }
        return i;
    }

    /** The index of the next weighted layer after i (the consumer of its units), or -1 / an error. */
    private static int consumerIndex(MultiLayerNetwork net, int i, boolean fail) {
        for (int k = i + 1; k < net.getnLayers(); k++) {
            Layer l = conf(net, k);
            if (l.getClass() == DenseLayer.class || l.getClass() == ConvolutionLayer.class
                    || l instanceof BaseOutputLayer) {
                return k;
            }
            if (l instanceof BatchNormalization || l instanceof SubsamplingLayer || l instanceof ActivationLayer
                    || l instanceof DropoutLayer || l instanceof ZeroPaddingLayer || l instanceof GlobalPoolingLayer) {
                continue;
            }
            if (!fail) return -1;
            throw new IllegalArgumentException("Dl4jPruner: cannot prune layer '" + name(net, i) + "': layer "
                    + name(net, k) + " (" + l.getClass().getSimpleName() + ") follows it and is not supported "
                    + "(supported in between: BatchNormalization, SubsamplingLayer, ActivationLayer, DropoutLayer, "
                    + "ZeroPaddingLayer, GlobalPoolingLayer; consumers: DenseLayer, ConvolutionLayer, output layers)");
        }
        if (!fail) return -1;
        throw new IllegalArgumentException("Dl4jPruner: layer '" + name(net, i) + "' is the last weighted layer; its "
                + "units are the network's outputs and cannot be pruned");
    }

    /** The axis of the consumer's W that indexes its inputs: 0 for dense [nIn, nOut], 1 for conv [nOut, nIn, kH, kW]. */
    private static int inputAxis(MultiLayerNetwork net, int c) {
        return conf(net, c) instanceof ConvolutionLayer ? 1 : 0;
    }

    /** The consumer's input indices fed by the given units of layer i (expanded through a CNN-to-dense flatten). */
    private static int[] consumerInputs(MultiLayerNetwork net, int i, int c, int[] units) {
        long nIn = ((FeedForwardLayer) conf(net, c)).getNIn();
        long nUnits = ((FeedForwardLayer) conf(net, i)).getNOut();
        if (conf(net, i) instanceof ConvolutionLayer && !(conf(net, c) instanceof ConvolutionLayer)) {
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(c);
            if (pre instanceof CnnToFeedForwardPreProcessor flat) {
                int hw = (int) (flat.getInputHeight() * flat.getInputWidth());
                if (flat.getNumChannels() != nUnits || (long) hw * nUnits != nIn) {
                    throw new IllegalArgumentException("Dl4jPruner: the flatten before layer " + name(net, c)
                            + " has " + flat.getNumChannels() + " channels of " + flat.getInputHeight() + "x"
                            + flat.getInputWidth() + " but layer " + name(net, i) + " has " + nUnits + " filters and "
                            + "the dense layer " + nIn + " inputs");
                }
                int[] r = new int[units.length * hw];
                boolean channelsLast = flat.getFormat() == CNN2DFormat.NHWC;
                int m = 0;
                for (int u : units) {
                    for (int p = 0; p < hw; p++) r[m++] = channelsLast ? (int) (p * nUnits + u) : u * hw + p;
                }
                if (channelsLast) Arrays.sort(r);
                return r;
            }
        }
        if (nIn != nUnits) {
            throw new IllegalArgumentException("Dl4jPruner: layer " + name(net, c) + " has " + nIn + " inputs but layer "
                    + name(net, i) + " has " + nUnits + " units; only a direct connection or a CNN-to-dense flatten "
                    + "is supported");
        }
        return units.clone();
    }

    private static double[] divide(double[] a, double d) {
        for (int k = 0; k < a.length; k++) a[k] /= d;
        return a;
    }
}
