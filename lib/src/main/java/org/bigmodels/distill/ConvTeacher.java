package org.bigmodels.distill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.bigmodels.train.Batch;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * A convolutional MNIST teacher in DL4J, of the shape of the Caffe/DL4J "LeNet" MNIST example (not LeNet-5 of LeCun
 * et al. 1998, which has 6 and 16 maps, then 120 and 84 units): ReLU and max pooling, conv 5×5×20 → pool 2 → conv
 * 5×5×50 → pool 2 → dense 500 (dropout 0.5) → 10, trained with
 * Adam on images shifted by up to {@code maxShift} pixels at every step ({@link RandomTranslation}). Inputs are the
 * flat [N, 784] pixels (the network reshapes them), so {@link TeacherOutputs#ofDl4j} computes its logits from the
 * same arrays as the engine's MLPs.
 */
public final class ConvTeacher {
    private ConvTeacher() {}

    /**
     * The teacher's name (its file name and the key of its logits): every setting of its training.
     *
     * @param n number of training images
     * @param epochs number of epochs
     * @param lr Adam's initial learning rate
     * @param maxShift largest input shift, in pixels
     */
    public static String name(int n, int epochs, double lr, int maxShift) {
        return "teacher-lenet5-20-50-500-d0.5-shift" + maxShift + "-n" + n + "-e" + epochs + "-lr" + lr + "-halving-s100";
    }

    /**
     * The untrained network, weights seeded: input [N, 784] flat pixels, output [N, 10] class probabilities.
     *
     * @param lr Adam's initial learning rate
     * @param stepsPerHalving optimizer steps (batches) between halvings of the rate
     * @param seed seed of the weights and of dropout
     */
    public static MultiLayerNetwork network(double lr, int stepsPerHalving, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(new StepSchedule(ScheduleType.ITERATION, lr, 0.5, stepsPerHalving)))
                .weightInit(WeightInit.RELU)
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(500).activation(Activation.RELU).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Trains the network {@code epochs} epochs on (x [N, 784], labels y [N]) in batches of 128, images shifted by up
     * to {@code maxShift} px, learning rate {@code lr} halved every {@code epochs / 4} epochs; kept in {@code file}
     * (DL4J's model zip, written to a temporary file then moved) and loaded from it when it exists. Test images xt
     * [M, 784] with labels yt (M ints); {@code log} (may be null) gets (epoch, test errors on them). Source of the
     * recipe: the shifted inputs of Hinton et al. 2015 §3.
     *
     * @throws java.io.UncheckedIOException when the file cannot be read or written
     */
    public static MultiLayerNetwork trained(Path file, int epochs, double lr, int maxShift, long seed, INDArray x, INDArray y,
                                            INDArray xt, int[] yt, BiConsumer<Integer, Integer> log) {
        try {
            if (Files.isRegularFile(file)) return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            RandomTranslation source = new RandomTranslation(x, y, maxShift, 128, seed);
            int per = source.stepsPerEpoch();
            MultiLayerNetwork net = network(lr, Math.max(1, per * Math.max(1, epochs / 4)), seed);
            INDArray oneHot = null;
            for (int e = 1; e <= epochs; e++) {
                for (int s = (e - 1) * per; s < e * per; s++) {
                    Batch b = source.apply(s);
                    int n = (int) b.size();
                    if (oneHot == null || oneHot.size(0) != n) oneHot = Nd4j.create(x.dataType(), n, 10);
                    oneHot.assign(0);
                    int[] lab = b.y().toIntVector();
                    for (int i = 0; i < n; i++) oneHot.putScalar(i, lab[i], 1.0);
                    net.fit(new DataSet(b.x(), oneHot));
                }
                if (log != null) log.accept(e, errors(net, xt, yt));
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            ModelSerializer.writeModel(net, tmp.toFile(), false);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return net;
        } catch (IOException e) {
            throw new UncheckedIOException("ConvTeacher: could not read or write " + file, e);
        }
    }

    /** Test errors: rows whose most probable class is not the label. */
    public static int errors(MultiLayerNetwork net, INDArray xt, int[] yt) {
        INDArray z = TeacherOutputs.compute(TeacherOutputs.ofDl4j(net), xt, 1000);
        int[] pred = z.argMax(1).toIntVector();
        int e = 0;
        for (int i = 0; i < yt.length; i++) if (pred[i] != yt[i]) e++;
        return e;
    }
}
