/**
 * Language modelling on characters: turning text into token ids and back, cutting training windows from a long
 * text, and generating text from a trained model.
 *
 * <p>Teaches next-token prediction: a window of {@code blockSize} tokens gives {@code blockSize} examples (targets
 * are the inputs shifted by one), a held-out tail for validation, and sampling with temperature and top-k. Taught
 * in 04-tiny-gpt, where a small GPT learns Tiny Shakespeare.
 *
 * <p>Main classes: {@link org.bigmodels.text.CharTokenizer} (one token per character),
 * {@link org.bigmodels.text.TextBatches} (random training windows) and {@link org.bigmodels.text.Sampler}
 * (autoregressive generation). Start reading at {@code TextBatches}.
 */
package org.bigmodels.text;
