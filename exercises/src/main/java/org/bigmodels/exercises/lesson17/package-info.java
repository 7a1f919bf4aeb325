/**
 * Graded exercise of lesson 17-capstone-compression: the capstone budget (CapstoneBudget, 17.1). Compress an MNIST
 * classifier until its saved file meets the budget, with the library's distillation ({@link
 * org.bigmodels.capstone.CompressionPipeline}), pruning, weight sharing ({@link org.bigmodels.capstone.PrunedKMeans})
 * or uniform quantization, and {@link org.bigmodels.quant.QuantizedModelFile}. Replace the "not implemented yet" with
 * your code and run {@code ./course grade 17}. The graded test is in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson17;
