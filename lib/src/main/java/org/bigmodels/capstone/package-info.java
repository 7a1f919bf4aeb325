/**
 * The capstone of Part III (lesson 17-capstone-compression): one model compressed end to end, and what each step buys
 * and costs. A large MNIST teacher is distilled into a small student ({@code org.bigmodels.distill}), the student is
 * pruned gradually while it keeps learning from the teacher ({@code org.bigmodels.prune}), its surviving weights are
 * quantized ({@code org.bigmodels.quant}) and the result is saved in the quantized file format, whose sparse entries
 * make pruning pay in bytes (Han et al. 2016, "Deep Compression": prune, share weights, encode).
 *
 * <ul>
 *   <li>{@link org.bigmodels.capstone.CompressionPipeline}: the three steps as functions of a model (distill, prune,
 *       accuracy), shared by the lesson, the benchmark and the exercise's solution;</li>
 *   <li>{@link org.bigmodels.capstone.PrunedKMeans}: weight sharing on the weights that survived pruning, with the
 *       pruned zeros kept exactly zero so the file stores them for free;</li>
 *   <li>{@link org.bigmodels.capstone.InterleavedTimer}: latency of several models measured side by side (rounds
 *       alternate between them, medians reported), so a busy machine slows them all alike;</li>
 *   <li>{@link org.bigmodels.capstone.CompressionStage}: one row of the table (accuracy, bytes, latencies) and the
 *       table itself;</li>
 *   <li>{@link org.bigmodels.capstone.ParetoFront}: the stages no other stage beats on both accuracy and size.</li>
 * </ul>
 */
package org.bigmodels.capstone;
