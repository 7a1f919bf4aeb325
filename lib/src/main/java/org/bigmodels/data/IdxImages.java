package org.bigmodels.data;

/**
 * Turns an IDX image file and its label file into a {@link Split}: pixels scaled from 0..255 to [0, 1].
 * Shared by {@link Mnist} and {@link FashionMnist}. Notebook: 00-welcome.
 */
final class IdxImages {

    private static final float SCALE = 1f / 255f;

    private IdxImages() {
    }

    static Split load(String name, DatasetFile images, DatasetFile labels, int numClasses) {
        IdxReader.Idx x = IdxReader.readImages(Datasets.path(images));
        IdxReader.Idx y = IdxReader.readLabels(Datasets.path(labels));
        byte[] pixels = x.data();
        float[] features = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            features[i] = (pixels[i] & 0xFF) * SCALE;
        }
        byte[] rawLabels = y.data();
        int[] classes = new int[rawLabels.length];
        for (int i = 0; i < rawLabels.length; i++) {
            classes[i] = rawLabels[i] & 0xFF;
        }
        return Split.of(name, features, x.recordSize(), classes, numClasses);
    }
}
