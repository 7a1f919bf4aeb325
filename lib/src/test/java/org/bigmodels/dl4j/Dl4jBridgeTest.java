package org.bigmodels.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The bridge against DL4J itself as the independent reference: for the same weights and batch, DL4J's
 * MultiLayerNetwork must give the same softmax output, the same loss and the same gradients as the course engine,
 * and one SGD step must move both to the same weights.
 */
class Dl4jBridgeTest {
    static final long[] SIZES = {20, 16, 12, 5};
    static final int BATCH = 8;
    static final double TOL_DOUBLE = 1e-5;

    /** max|a - b| / max|b|: the error relative to the reference's scale. */
    static double relErr(INDArray a, INDArray b) {
        INDArray ad = a.castTo(DataType.DOUBLE), bd = b.castTo(DataType.DOUBLE).reshape(a.shape());
        double scale = Math.max(bd.amaxNumber().doubleValue(), 1e-300);
        return ad.sub(bd).amaxNumber().doubleValue() / scale;
    }

    static INDArray inputs(DataType type, long seed) {
        Random rng = new Random(seed);
        double[] v = new double[BATCH * (int) SIZES[0]];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, new long[] {BATCH, SIZES[0]}, 'c').castTo(type);
    }

    static int[] labels(long seed) {
        Random rng = new Random(seed);
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) y[i] = rng.nextInt((int) SIZES[SIZES.length - 1]);
        return y;
    }

    static INDArray oneHot(int[] y, DataType type) {
        INDArray h = Nd4j.zeros(type, y.length, SIZES[SIZES.length - 1]);
        for (int i = 0; i < y.length; i++) h.putScalar(i, y[i], 1.0);
        return h;
    }

    /** The biggest relative error over output, loss and every gradient; also checks DL4J's gradient is the batch sum. */
    static double compare(MLP mlp, MultiLayerNetwork net, INDArray x, int[] y) {
        mlp.zeroGrad();
        Tensor logits = mlp.forward(Tensor.of(x));
        Tensor loss = Ops.crossEntropy(logits, Nd4j.createFromArray(y));
        loss.backward();
        INDArray probs;
        try (var off = Tensor.noGrad()) {
            probs = Ops.softmax(Tensor.of(logits.value())).value();
        }

        double worst = relErr(probs, net.output(x));
        net.setInput(x);
        net.setLabels(oneHot(y, x.dataType()));
        net.computeGradientAndScore();
        worst = Math.max(worst, Math.abs(loss.item() - net.score()) / Math.abs(net.score()));
        for (Map.Entry<String, String> e : Dl4jBridge.dl4jParamNames(mlp).entrySet()) {
            INDArray ours = mlp.parameter(e.getKey()).grad();
            INDArray theirs = net.gradient().getGradientFor(e.getValue());
            // DL4J's gradient is the sum over the minibatch (its updater divides by the batch size later)
            worst = Math.max(worst, relErr(ours.mul(BATCH), theirs));
        }
        return worst;
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = "GELU", mode = EnumSource.Mode.EXCLUDE)
    void outputLossAndGradientsEqualDl4jInDouble(Activation act) {
        MLP mlp = new MLP(SIZES, act, DataType.DOUBLE, 3);
        randomizeBiases(mlp, 11);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
        double err = compare(mlp, net, inputs(DataType.DOUBLE, 5), labels(6));
        System.out.printf("bridge %s double: max relative error %.3e%n", act, err);
        assertTrue(err <= TOL_DOUBLE, act + ": max relative error " + err);
    }

    @Test
    void outputLossAndGradientsEqualDl4jInFloat() {
        MLP mlp = new MLP(SIZES, Activation.RELU, DataType.FLOAT, 3);
        randomizeBiases(mlp, 11);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
        double err = compare(mlp, net, inputs(DataType.FLOAT, 5), labels(6));
        System.out.printf("bridge RELU float: max relative error %.3e%n", err);
        assertTrue(err <= 1e-4, "float: max relative error " + err);
    }

    @Test
    void comparisonDetectsAPerturbedWeight() {
        MLP mlp = new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 3);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
        INDArray w = net.getParam("1_W");
        w.putScalar(2, 3, w.getDouble(2, 3) + 1e-3);
        double err = compare(mlp, net, inputs(DataType.DOUBLE, 5), labels(6));
        assertTrue(err > TOL_DOUBLE, "a perturbed weight went unnoticed: max relative error " + err);
    }

    @Test
    void dl4jGradientIsTheBatchSumNotTheMean() {
        MLP mlp = new MLP(SIZES, Activation.TANH, DataType.DOUBLE, 3);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
        INDArray x = inputs(DataType.DOUBLE, 5);
        int[] y = labels(6);
        compare(mlp, net, x, y);
        INDArray mean = mlp.parameter("0.weight").grad();
        INDArray dl4j = net.gradient().getGradientFor("0_W");
        assertTrue(relErr(mean, dl4j) > 0.5, "DL4J's raw gradient unexpectedly equals the mean");
        assertTrue(relErr(mean.mul(BATCH), dl4j) <= TOL_DOUBLE);
    }

    @Test
    void roundTripPreservesWeightsExactly() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            MLP mlp = new MLP(SIZES, Activation.SIGMOID, type, 9);
            randomizeBiases(mlp, 12);
            MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
            MLP back = Dl4jBridge.fromMultiLayerNetwork(net);
            assertArrayEquals(mlp.sizes(), back.sizes());
            assertEquals(mlp.activation(), back.activation());
            assertEquals(type, back.dataType());
            mlp.namedParameters().forEach((name, p) -> {
                INDArray q = back.parameter(name).value();
                assertArrayEquals(p.shape(), q.shape(), name);
                assertEquals(p.value(), q, type + " " + name + " changed in the round trip");
            });
            // the copies are independent: changing the network does not touch the MLP
            net.getParam("0_W").addi(1.0);
            assertEquals(mlp.parameter("0.weight").value(), back.parameter("0.weight").value());
        }
    }

    @Test
    void copyWeightsBothWays() {
        MLP a = new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 1);
        MLP b = new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 2);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(a);
        Dl4jBridge.copyWeights(net, b);
        a.namedParameters().forEach((n, p) -> assertEquals(p.value(), b.parameter(n).value(), n));
        MLP c = new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 3);
        Dl4jBridge.copyWeights(c, net);
        assertEquals(c.parameter("4.weight").value(), net.getParam("2_W").dup('c'));
        assertEquals(c.parameter("4.bias").value(), net.getParam("2_b").reshape(SIZES[3]));
    }

    @Test
    void oneSgdStepGivesTheSameWeights() {
        double lr = 0.1;
        MLP mlp = new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 4);
        randomizeBiases(mlp, 13);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp, lr);
        INDArray x = inputs(DataType.DOUBLE, 8);
        int[] y = labels(9);

        SGD sgd = new SGD(mlp.parameters(), lr);
        sgd.zeroGrad();
        Ops.crossEntropy(mlp.forward(Tensor.of(x)), Nd4j.createFromArray(y)).backward();
        sgd.step();
        net.fit(new DataSet(x, oneHot(y, DataType.DOUBLE)));

        MLP stepped = Dl4jBridge.fromMultiLayerNetwork(net);
        double worst = 0;
        for (var e : mlp.namedParameters().entrySet()) {
            worst = Math.max(worst, relErr(e.getValue().value(), stepped.parameter(e.getKey()).value()));
        }
        System.out.printf("bridge SGD step: max relative error %.3e%n", worst);
        assertTrue(worst <= TOL_DOUBLE, "weights after one SGD step differ by " + worst);
        // and the step did move the weights (the comparison is not trivially true)
        MLP before = new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 4);
        assertTrue(relErr(before.parameter("0.weight").value(), stepped.parameter("0.weight").value()) > 1e-4);
    }

    /** DL4J 1.0.0-M2.1 has no GELU equal to the course's tanh form (see Dl4jBridge), so GELU is refused both ways. */
    @Test
    void geluThatDiffersFromTheCoursesIsRefusedBothWays() {
        MultiLayerNetwork sigmoidGelu = denseNet(new ActivationGELU(false));
        var e1 = assertThrows(IllegalArgumentException.class, () -> Dl4jBridge.fromMultiLayerNetwork(sigmoidGelu));
        assertTrue(e1.getMessage().contains("layer 0") && e1.getMessage().contains("1.702"), e1.getMessage());

        double x = 1.0, courseGelu = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        double dl4jPrecise = new ActivationGELU(true).getActivation(Nd4j.createFromArray(x), false).getDouble(0);
        if (Math.abs(courseGelu - dl4jPrecise) > 1e-6) {
            var e2 = assertThrows(UnsupportedOperationException.class,
                    () -> Dl4jBridge.fromMultiLayerNetwork(denseNet(new ActivationGELU(true))));
            assertTrue(e2.getMessage().contains("0.044715x^3"), e2.getMessage());
            var e3 = assertThrows(UnsupportedOperationException.class,
                    () -> Dl4jBridge.toMultiLayerNetwork(new MLP(SIZES, Activation.GELU, DataType.DOUBLE, 1)));
            assertTrue(e3.getMessage().contains("refuses GELU"), e3.getMessage());
        } else { // a DL4J release with the tanh form: then GELU models must convert and agree
            MLP mlp = new MLP(SIZES, Activation.GELU, DataType.DOUBLE, 3);
            assertTrue(compare(mlp, Dl4jBridge.toMultiLayerNetwork(mlp), inputs(DataType.DOUBLE, 5), labels(6)) <= TOL_DOUBLE);
        }
    }

    @Test
    void convolutionLayerIsRefusedByIndexAndType() {
        var conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        var e = assertThrows(IllegalArgumentException.class, () -> Dl4jBridge.fromMultiLayerNetwork(net));
        assertTrue(e.getMessage().contains("layer 0 is a ConvolutionLayer"), e.getMessage());
    }

    @Test
    void mismatchedShapesAndTypesAreRefused() {
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(new MLP(SIZES, Activation.RELU, DataType.DOUBLE, 1));
        var wrongSize = new MLP(new long[] {20, 17, 12, 5}, Activation.RELU, DataType.DOUBLE, 1);
        var e1 = assertThrows(IllegalArgumentException.class, () -> Dl4jBridge.copyWeights(wrongSize, net));
        assertTrue(e1.getMessage().contains("layer 0 shapes differ"), e1.getMessage());
        var wrongDepth = new MLP(new long[] {20, 5}, Activation.RELU, DataType.DOUBLE, 1);
        var e2 = assertThrows(IllegalArgumentException.class, () -> Dl4jBridge.copyWeights(net, wrongDepth));
        assertTrue(e2.getMessage().contains("expected a network with 1 layers"), e2.getMessage());
        var wrongType = new MLP(SIZES, Activation.RELU, DataType.FLOAT, 1);
        var e3 = assertThrows(IllegalArgumentException.class, () -> Dl4jBridge.copyWeights(wrongType, net));
        assertTrue(e3.getMessage().contains("MLP FLOAT and network DOUBLE"), e3.getMessage());
    }

    @Test
    void paramNamesMapCourseToDl4j() {
        MLP mlp = MLP.of(784, 300, 100, 10);
        assertEquals(Map.of("0.weight", "0_W", "0.bias", "0_b", "2.weight", "1_W", "2.bias", "1_b",
                "4.weight", "2_W", "4.bias", "2_b"), Dl4jBridge.dl4jParamNames(mlp));
        assertEquals(mlp.namedParameters().keySet(), Dl4jBridge.dl4jParamNames(mlp).keySet());
    }

    static MultiLayerNetwork denseNet(org.nd4j.linalg.activations.IActivation act) {
        var conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(4).activation(act).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Biases start at zero; random ones make sure a bias mix-up (or a transposed copy) cannot pass unnoticed. */
    static void randomizeBiases(MLP mlp, long seed) {
        Random rng = new Random(seed);
        for (Linear l : mlp.linears()) {
            INDArray b = l.bias().value();
            for (long i = 0; i < b.length(); i++) b.putScalar(i, 0.3 * rng.nextGaussian());
        }
    }
}
