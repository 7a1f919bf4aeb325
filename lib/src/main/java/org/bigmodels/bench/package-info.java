/**
 * Measuring speed honestly: the same work timed on this course's engine, on DL4J and on PyTorch, and the thread
 * count that suits this machine.
 *
 * <p>Teaches how to compare frameworks fairly (same model, same batches made before timing, same threads, the
 * runs alternated so that a noisy machine hurts all of them alike) and how to read a result against the
 * machine's matrix-multiply peak. Measured in 03-mlp-mnist; {@code ./course setup} uses the probe.
 *
 * <p>Main classes: {@link org.bigmodels.bench.LeNetBenchmark} (one MNIST epoch of LeNet-300-100, three ways;
 * {@code ./course bench}) and {@link org.bigmodels.bench.ThreadProbe} (steps per second at the current
 * {@code OMP_NUM_THREADS}). Start reading at {@code LeNetBenchmark}'s class comment.
 */
package org.bigmodels.bench;
