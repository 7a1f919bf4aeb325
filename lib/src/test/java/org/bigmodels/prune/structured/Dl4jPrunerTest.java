package org.bigmodels.prune.structured;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.bigmodels.dl4j.Dl4jBridge;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class Dl4jPrunerTest {
    /** conv(1->6, 3x3) - BN - maxpool 2 - conv(6->5, 2x2) - dense 9 - output 3, on 8x8 images (flatten NCHW 5x2x2). */
    static MultiLayerNetwork cnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(5).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(9).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // non-trivial batch-norm statistics, so forgetting to slice them shows
        Nd4j.getRandom().setSeed(5);
        net.getLayer(1).paramTable().forEach((name, v) -> v.assign(name.equals("var")
                ? Nd4j.rand(DataType.DOUBLE, v.shape()).addi(0.5) : Nd4j.randn(DataType.DOUBLE, v.shape())));
        if (net.getLayer(1).paramTable().size() < 4) throw new AssertionError(net.getLayer(1).paramTable().keySet());
        // non-zero biases (DL4J starts them at 0), so slicing a bias with the wrong indices shows too
        for (int i : new int[] {0, 3, 4, 5}) net.getLayer(i).getParam("b").assign(Nd4j.randn(DataType.DOUBLE,
                net.getLayer(i).getParam("b").shape()).muli(0.3));
        return net;
    }

    static DataSet data(int n) {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, 64);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int i = 0; i < n; i++) y.putScalar(i, i % 3, 1);
        return new DataSet(x, y);
    }

    private static void assertSame(INDArray ref, INDArray got, String what) {
        assertArrayEquals(ref.shape(), got.shape(), what);
        assertTrue(ref.equalsWithEps(got, 1e-10), what + ": pruned output differs from the masked network");
    }

    @Test
    void convFiltersPrunedThroughBatchNormPoolAndIntoTheNextConv() {
        MultiLayerNetwork net = cnn();
        INDArray x = data(4).getFeatures();
        int[] keep = {0, 2, 3, 5};
        MultiLayerNetwork pruned = Dl4jPruner.prune(net, "0", keep);
        assertEquals(4, pruned.getLayer(0).getParam("W").size(0));
        assertEquals(4, pruned.getLayer(1).getParam("gamma").length());
        assertEquals(4, pruned.getLayer(3).getParam("W").size(1));
        MultiLayerNetwork masked = Dl4jPruner.masked(net, "0", keep);
        assertFalse(masked.output(x).equalsWithEps(net.output(x), 1e-6));
        assertSame(masked.output(x), pruned.output(x), "conv 0 -> BN -> pool -> conv 3");
    }

    @Test
    void convFiltersBeforeAFlattenRemoveTheRightDenseRows() {
        MultiLayerNetwork net = cnn();
        INDArray x = data(4).getFeatures();
        int[] keep = {1, 4};
        MultiLayerNetwork pruned = Dl4jPruner.prune(net, "3", keep);
        assertEquals(2 * 2 * 2, pruned.getLayer(4).getParam("W").size(0), "2 channels of 2x2 after the flatten");
        // reference independent of the library's masking: zero the removed channels' NCHW rows c*4 + p by hand
        MultiLayerNetwork hand = net.clone();
        INDArray w = hand.getLayer(4).getParam("W");
        for (int c : new int[] {0, 2, 3}) for (int p = 0; p < 4; p++) w.getRow(c * 4L + p).assign(0);
        assertSame(hand.output(x), pruned.output(x), "conv 3 -> flatten -> dense 4");
        assertSame(Dl4jPruner.masked(net, "3", keep).output(x), pruned.output(x), "masked twin");
    }

    @Test
    void denseNeuronsAndTheResultIsAnOrdinaryNetwork(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = cnn();
        DataSet d = data(6);
        int[] keep = {0, 1, 5, 8};
        MultiLayerNetwork pruned = Dl4jPruner.prune(net, "4", keep);
        assertSame(Dl4jPruner.masked(net, "4", keep).output(d.getFeatures()), pruned.output(d.getFeatures()), "dense 4");
        // saved and loaded with ModelSerializer: same outputs, same configuration
        File f = dir.resolve("pruned.zip").toFile();
        ModelSerializer.writeModel(pruned, f, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(f, true);
        assertEquals(pruned.output(d.getFeatures()), back.output(d.getFeatures()));
        assertEquals(pruned.numParams(), back.numParams());
        // it trains: fit changes the weights and keeps the loss finite
        INDArray w0 = back.params().dup();
        for (int i = 0; i < 5; i++) back.fit(d);
        assertFalse(w0.equalsWithEps(back.params(), 1e-9), "fit did not change the pruned network");
        assertTrue(Double.isFinite(back.score(d)));
    }

    @Test
    void allCriteriaRankAndFractionsChainOverLayers() {
        MultiLayerNetwork net = cnn();
        DataSet d = data(8);
        for (Importance imp : Importance.values()) {
            MultiLayerNetwork p = Dl4jPruner.prune(net, Map.of("0", 0.5, "4", 0.34), imp, d);
            assertEquals(3, p.getLayer(0).getParam("W").size(0), imp.toString());
            assertEquals(6, p.getLayer(4).getParam("W").size(1), imp.toString());
            assertEquals(8, p.output(d.getFeatures()).size(0));
        }
        double[] l2 = Dl4jPruner.scores(net, "0", Importance.L2, null);
        INDArray w = net.getLayer(0).getParam("W");
        assertEquals(w.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2)).norm2Number().doubleValue(), l2[2], 1e-12);
    }

    @Test
    void dl4jDenseModelPrunedAndConvertedBackToTheEngine() {
        MLP mlp = new MLP(new long[] {6, 8, 7, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 2);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
        int[] keep = {0, 2, 3, 6};
        MultiLayerNetwork pruned = Dl4jPruner.prune(net, "1", keep);
        MLP back = Dl4jBridge.fromMultiLayerNetwork(pruned);
        assertArrayEquals(new long[] {6, 8, 4, 3}, back.sizes());
        MLP enginePruned = NeuronPruner.prune(mlp, "2", keep);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6);
        try (var off = Tensor.noGrad()) {
            assertTrue(enginePruned.forward(x).value().equalsWithEps(back.forward(x).value(), 1e-5),
                    "DL4J-pruned network converted back differs from the engine-pruned MLP");
        }
    }

    @Test
    void badArgumentsGetClearErrors() {
        MultiLayerNetwork net = cnn();
        var e = assertThrows(IllegalArgumentException.class, () -> Dl4jPruner.prune(net, "nope", new int[] {0}));
        assertTrue(e.getMessage().contains("prunable layers are [layer0, layer3, layer4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dl4jPruner.prune(net, "5", new int[] {0}));
        assertTrue(e.getMessage().contains("no prunable layer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dl4jPruner.prune(net, Map.of("0", 1.0), Importance.L1, null));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dl4jPruner.prune(net, Map.of("0", 0.95), Importance.L1, null));
        assertTrue(e.getMessage().contains("remove all 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dl4jPruner.scores(net, "0", Importance.TAYLOR, null));
        assertTrue(e.getMessage().contains("needs a DataSet"), e.getMessage());
    }
}
