/**
 * The course's datasets, read from the local {@code datasets/} folder and verified by SHA-256 before use; nothing is
 * ever fetched from the network.
 *
 * <p>Teaches where training data comes from and what it looks like as arrays: the IDX format of MNIST, small CSVs,
 * a text corpus; features as [n, d] floats in [0, 1], labels as class indices. Introduced in 00-welcome; Digits
 * trains the first network in 02-backprop-from-scratch, MNIST the MLP of 03-mlp-mnist, Tiny Shakespeare the GPT of
 * 04-tiny-gpt.
 *
 * <p>Main classes: {@link org.bigmodels.data.Datasets} (finds and checks the files), the loaders
 * {@link org.bigmodels.data.Iris}, {@link org.bigmodels.data.Digits}, {@link org.bigmodels.data.Mnist},
 * {@link org.bigmodels.data.FashionMnist}, {@link org.bigmodels.data.TinyShakespeare}, and what they return,
 * {@link org.bigmodels.data.Split} and {@link org.bigmodels.data.TrainTest}. Start reading at {@code Mnist}, then
 * {@link org.bigmodels.data.IdxReader} for the file format.
 */
package org.bigmodels.data;
