package org.bigmodels.data;

/**
 * MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey pixels, labels 0-9.
 * Features are [n, 784] floats in [0, 1] (pixel / 255), row by row. Each split is read once per process
 * and then shared (see {@link Split}). Notebook: 00-welcome.
 */
public final class Mnist {

    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Number of classes (the digits 0-9). */
    public static final int CLASSES = 10;

    private static volatile Split train;
    private static volatile Split test;

    private Mnist() {
    }

    /** Both splits. */
    public static TrainTest load() {
        return new TrainTest(train(), test());
    }

    /** The 60,000 training images. */
    public static synchronized Split train() {
        if (train == null) {
            train = IdxImages.load("mnist/train", DatasetFile.MNIST_TRAIN_IMAGES, DatasetFile.MNIST_TRAIN_LABELS, CLASSES);
        }
        return train;
    }

    /** The 10,000 test images. */
    public static synchronized Split test() {
        if (test == null) {
            test = IdxImages.load("mnist/test", DatasetFile.MNIST_TEST_IMAGES, DatasetFile.MNIST_TEST_LABELS, CLASSES);
        }
        return test;
    }
}
