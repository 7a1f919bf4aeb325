package org.bigmodels.data;

import java.util.List;

/**
 * Fashion-MNIST, test set only: 10,000 28x28 grey photos of clothing in 10 classes, the same format as
 * MNIST and a harder drop-in. Features are [n, 784] floats in [0, 1]. Notebook: 00-welcome.
 */
public final class FashionMnist {

    /** Class names, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static volatile Split test;

    private FashionMnist() {
    }

    /** The 10,000 test images, read once per process. */
    public static synchronized Split loadTest() {
        if (test == null) {
            test = IdxImages.load("fashion-mnist/test", DatasetFile.FASHION_TEST_IMAGES, DatasetFile.FASHION_TEST_LABELS,
                    CLASS_NAMES.size());
        }
        return test;
    }
}
