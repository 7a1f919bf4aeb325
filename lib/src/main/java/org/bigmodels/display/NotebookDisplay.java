package org.bigmodels.display;

import java.awt.image.RenderedImage;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.knowm.xchart.internal.chartpart.Chart;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.DisplayTransformer;
import org.rapaio.jupyter.kernel.display.spi.DisplayProvider;

import tech.tablesaw.api.Table;

/**
 * Teaches the Java notebook kernel (rapaio-jupyter-kernel) to show the course's values inline when they are
 * a cell's last expression: charts and images as PNG, tables and arrays as HTML. Found by the kernel through
 * {@code META-INF/services}; only loaded inside the kernel, which supplies the interfaces. The drawing
 * itself lives in {@link Png} and {@link Html}. Notebook: 00-welcome.
 */
public final class NotebookDisplay implements DisplayProvider {

    @Override
    public List<DisplayRenderer> getDisplayRenderers() {
        return List.of(
                new Renderer(Chart.class, "image/png", o -> png(Png.of((Chart<?, ?>) o),
                        o.getClass().getSimpleName() + " '" + ((Chart<?, ?>) o).getTitle() + "'")),
                new Renderer(RenderedImage.class, "image/png", o -> {
                    RenderedImage image = (RenderedImage) o;
                    return png(Png.of(image), "image " + image.getWidth() + "x" + image.getHeight());
                }),
                new Renderer(Table.class, "text/html", o -> {
                    Table table = (Table) o;
                    DisplayData dd = DisplayData.fromHtml(Html.table(table));
                    dd.putText(Html.tableText(table));
                    return dd;
                }),
                new Renderer(INDArray.class, "text/html", o -> {
                    DisplayData dd = DisplayData.fromHtml(Html.array((INDArray) o));
                    dd.putText(Html.arrayText((INDArray) o));
                    return dd;
                }));
    }

    @Override
    public List<DisplayTransformer> getDisplayTransformers() {
        return List.of();
    }

    private static DisplayData png(byte[] bytes, String text) {
        DisplayData dd = DisplayData.withType("image/png", Png.base64(bytes));
        dd.putText(text);
        return dd;
    }

    /** Renders one class of values; answers only when no mime type was asked for, or its own. */
    private record Renderer(Class<?> type, String mime, Function<Object, DisplayData> draw) implements DisplayRenderer {

        @Override
        public Class<?> rendererClass() {
            return type;
        }

        @Override
        public boolean canRender(String requested) {
            return requested == null || requested.isBlank()
                    || Set.of(mime, mime.substring(mime.indexOf('/') + 1)).contains(requested);
        }

        @Override
        public DisplayData render(String requested, Object o) {
            return draw.apply(o);
        }
    }
}
