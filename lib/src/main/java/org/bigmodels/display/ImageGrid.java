package org.bigmodels.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Draws small grey images (digits) side by side with a caption under each and a title on top.
 * Values are intensities in [0, 1] (outside values are clipped): 0 black, 1 white. Notebook: 00-welcome.
 */
final class ImageGrid {

    private static final int TARGET_CELL = 84;
    private static final int PAD = 6;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font CAPTION = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private ImageGrid() {
    }

    static BufferedImage draw(String title, INDArray images, int cols, String[] captions) {
        long[] shape = images.shape();
        int n;
        int h;
        int w;
        if (shape.length == 3) {
            n = (int) shape[0];
            h = (int) shape[1];
            w = (int) shape[2];
        } else if (shape.length == 2) {
            n = (int) shape[0];
            int side = (int) Math.round(Math.sqrt(shape[1]));
            if ((long) side * side != shape[1]) {
                throw new IllegalArgumentException("imageGrid: rows of " + shape[1] + " values are not square images; "
                        + "pass [n, h, w] instead (e.g. images.reshape(n, h, w)).");
            }
            h = side;
            w = side;
        } else {
            throw new IllegalArgumentException("imageGrid: images must be [n, h*w] or [n, h, w], got shape "
                    + Arrays.toString(shape));
        }
        if (n < 1) {
            throw new IllegalArgumentException("imageGrid: no images to draw (shape " + Arrays.toString(shape) + ")");
        }
        if (cols < 1) {
            throw new IllegalArgumentException("imageGrid: cols must be at least 1, got " + cols);
        }
        if (captions != null && captions.length != n) {
            throw new IllegalArgumentException("imageGrid: " + captions.length + " captions for " + n
                    + " images; pass one caption per image, or null for none.");
        }
        float[] pixels = images.reshape(n, (long) h * w).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        // reshape of a view may copy; asFloat on a fresh array returns exactly n*h*w values in c order
        int scale = Math.max(1, TARGET_CELL / Math.max(h, w));
        int cellW = w * scale;
        int cellH = h * scale;
        int captionH = captions == null ? 0 : 18;
        int titleH = 34;
        int columns = Math.min(cols, n);
        int rows = (n + columns - 1) / columns;
        int width = PAD + columns * (cellW + PAD);
        int height = titleH + rows * (cellH + captionH + PAD) + PAD;

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            FontMetrics tm = g.getFontMetrics();
            g.drawString(title, Math.max(PAD, (width - tm.stringWidth(title)) / 2), 8 + tm.getAscent());
            g.setFont(CAPTION);
            FontMetrics cm = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                int x0 = PAD + (i % columns) * (cellW + PAD);
                int y0 = titleH + (i / columns) * (cellH + captionH + PAD);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float v = pixels[i * h * w + y * w + x];
                        int grey = Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                        g.setColor(new Color(grey, grey, grey));
                        g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                    }
                }
                if (captions != null) {
                    String caption = captions[i] == null ? "" : captions[i];
                    g.setColor(Color.BLACK);
                    g.drawString(caption, x0 + (cellW - cm.stringWidth(caption)) / 2, y0 + cellH + cm.getAscent() + 2);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
