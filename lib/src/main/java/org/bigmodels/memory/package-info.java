/**
 * Memory per worker and how to cut it (lesson 10-memory-and-zero): {@link org.bigmodels.memory.MemoryAccount}
 * (parameters, gradients, optimizer state, activations, measured from the arrays held), {@link
 * org.bigmodels.memory.ActivationCheckpoint} (recomputation, Chen et al. 2016), {@link org.bigmodels.memory.ZeroStage}
 * and {@link org.bigmodels.memory.ZeroDataParallel} (ZeRO stages 1-3, Rajbhandari et al. 2020, on the course's
 * DataParallelTrainer), {@link org.bigmodels.memory.OptimizerShard} / {@link org.bigmodels.memory.AdamWShard} (one
 * rank's share of a partitioned AdamW; exercise 10.1 implements the interface), and
 * {@link org.bigmodels.memory.ParallelLayout} (data × pipeline × tensor layout of a large model, on paper).
 */
package org.bigmodels.memory;
