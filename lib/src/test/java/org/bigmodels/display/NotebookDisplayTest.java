package org.bigmodels.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.spi.DisplayProvider;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** The provider as the kernel sees it: found by ServiceLoader, choosing a renderer by class as the kernel does. */
class NotebookDisplayTest {

    private static DisplayData render(Object value) {
        DisplayProvider provider = ServiceLoader.load(DisplayProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p instanceof NotebookDisplay).findFirst()
                .orElseThrow(() -> new AssertionError("NotebookDisplay not registered in META-INF/services"));
        for (DisplayRenderer r : provider.getDisplayRenderers()) {
            if (r.rendererClass().isAssignableFrom(value.getClass()) && r.canRender(null)) {
                return r.render(null, value);
            }
        }
        throw new AssertionError("no renderer for " + value.getClass());
    }

    @Test
    void chartsBecomeInlinePngs() throws IOException {
        var chart = Plots.curves("Loss", "step", "loss", Map.of("loss", new double[]{1, 0.5}), new double[]{0, 1});
        DisplayData dd = render(chart);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) dd.data().get("image/png"))));
        assertEquals(Plots.WIDTH, image.getWidth());
        assertTrue(((String) dd.data().get("text/plain")).contains("Loss"));
    }

    @Test
    void imagesBecomeInlinePngs() {
        DisplayData dd = render(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB));
        assertTrue(dd.data().containsKey("image/png"));
    }

    @Test
    void tablesAndArraysBecomeHtml() {
        DisplayData table = render(Table.create("t", IntColumn.create("n", new int[]{1, 2})));
        assertTrue(((String) table.data().get("text/html")).contains(">2</td>"));
        DisplayData array = render(Nd4j.zeros(2, 3));
        assertTrue(((String) array.data().get("text/html")).contains("[2, 3]"));
    }

    @Test
    void otherMimeTypesAreLeftToTheKernel() {
        NotebookDisplay provider = new NotebookDisplay();
        List<DisplayRenderer> renderers = provider.getDisplayRenderers();
        assertTrue(renderers.get(0).canRender("image/png"));
        assertTrue(renderers.get(0).canRender("png"));
        assertTrue(!renderers.get(0).canRender("text/html"));
    }
}
