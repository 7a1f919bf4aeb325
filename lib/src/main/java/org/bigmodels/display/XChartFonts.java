package org.bigmodels.display;

import java.awt.Font;

import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.XYStyler;

/**
 * The fonts of XChart's default theme (as a chart built by {@link Plots} uses them), so that the images this
 * package draws itself (heat maps, confusion matrices, timelines) use the same lettering as the XChart charts next
 * to them in a lesson.
 */
final class XChartFonts {

    static {
        Headless.ensure();
    }

    private static final XYStyler STYLER = new XYChartBuilder().build().getStyler();

    /** The chart-title font (XChart: SansSerif bold 14). */
    static final Font TITLE = STYLER.getChartTitleFont();
    /** The axis-title and tick-label font (XChart: SansSerif bold 12). */
    static final Font TEXT = STYLER.getAxisTickLabelsFont();

    private XChartFonts() {
    }
}
