/**
 * Progress bars for long loops that work in a notebook (one output updated in place), a terminal (one line
 * redrawn) and a log (a line per tenth done), cheap enough to call on every step.
 *
 * <p>Teaches little about deep learning and much about living with it: a long run should say how far it has got,
 * how fast it goes and what the loss is, without flooding the output. Introduced in 00-welcome; the
 * {@code Trainer} shows one in every lesson that trains.
 *
 * <p>Main classes: {@link org.bigmodels.progress.Progress} (the bar you use), {@link org.bigmodels.progress.Snapshot}
 * (one rendering), and the sinks {@link org.bigmodels.progress.NotebookSink},
 * {@link org.bigmodels.progress.TerminalSink}, {@link org.bigmodels.progress.LogSink}. Start reading at
 * {@code Progress}.
 */
package org.bigmodels.progress;
