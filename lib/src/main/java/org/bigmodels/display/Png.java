package org.bigmodels.display;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * PNG bytes of a chart or an image: what a notebook shows inline (as base64) and what gets saved to disk.
 * Notebook: 00-welcome.
 */
public final class Png {

    static {
        Headless.ensure();
    }

    private Png() {
    }

    /** The chart drawn at its own width and height. */
    public static byte[] of(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode chart '" + chart.getTitle() + "' as PNG", e);
        }
    }

    /** The image encoded as PNG. */
    public static byte[] of(RenderedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("No PNG writer for an image of type " + image.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode image as PNG", e);
        }
        return out.toByteArray();
    }

    /** Base64 of the PNG bytes, as Jupyter's {@code image/png} output wants it. */
    public static String base64(byte[] png) {
        return Base64.getEncoder().encodeToString(png);
    }
}
