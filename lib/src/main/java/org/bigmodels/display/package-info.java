/**
 * Showing results so that they can be read: charts with titles, labelled axes and readable ticks, heatmaps with one
 * colour convention, confusion matrices that show the errors, tables with rounded numbers, and the notebook glue
 * that shows all of these inline.
 *
 * <p>Teaches that a claim needs a figure a reader can check: units on every axis, log axes where values span orders
 * of magnitude, colour scales that the interesting cells (not the obvious ones) set. Introduced in 00-welcome and
 * used by every lesson: curves and log axes in 02-backprop-from-scratch, the confusion matrix in 03-mlp-mnist,
 * attention heatmaps and size tables in 04-tiny-gpt, timelines from 08-pipeline-parallel on.
 *
 * <p>Main classes: {@link org.bigmodels.display.Plots} (every chart: curves, histogram, grouped bars, heatmap,
 * confusion matrix, image grid, timeline; log axes and tick formats), {@link org.bigmodels.display.Format}
 * (numbers, bytes in decimal SI units, durations, percentages), {@link org.bigmodels.display.Html} (tables and
 * arrays as HTML), {@link org.bigmodels.display.Heatmap} (the colour convention) and
 * {@link org.bigmodels.display.ConfusionMatrix} (row fractions, masked diagonal). Start reading at {@code Plots}'s
 * class comment; {@link org.bigmodels.display.NotebookDisplay} is how the kernel finds them.
 */
package org.bigmodels.display;
