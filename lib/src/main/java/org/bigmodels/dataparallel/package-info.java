/**
 * Data parallelism on the course engine and Trainer (lesson 05-data-parallel): W replicas of a model, each on its
 * own shard, whose gradients are averaged before every update.
 *
 * <ul>
 *   <li>Strategies, as {@link org.bigmodels.train.GradientSync} steps of the one Trainer:
 *       {@link org.bigmodels.dataparallel.DataParallelNaive} (one all-reduce per parameter),
 *       {@link org.bigmodels.dataparallel.DataParallelBucketed} (flat buckets),
 *       {@link org.bigmodels.dataparallel.DataParallelOverlapped} (buckets all-reduced during backward, through
 *       {@link org.bigmodels.engine.Tensor#onGradReady}); their shared base
 *       {@link org.bigmodels.dataparallel.DataParallel} (broadcast of rank 0's weights, {@code noSync()}, events).</li>
 *   <li>{@link org.bigmodels.dataparallel.DataParallelTrainer}: W replicas on worker threads (or one rank of a
 *       process group) with the course Trainer; {@link org.bigmodels.dataparallel.WorkerEvent}s for timelines.</li>
 *   <li>{@link org.bigmodels.dataparallel.GradientAccumulation} (micro-batches without synchronisation),
 *       {@link org.bigmodels.dataparallel.LinearScalingRule} (Goyal et al. 2017).</li>
 *   <li>Data: {@link org.bigmodels.dataparallel.DistributedSampler} (each example once per epoch across workers),
 *       {@link org.bigmodels.dataparallel.LabelSkewShards} (non-IID: Dirichlet α, one class per worker).</li>
 * </ul>
 */
package org.bigmodels.dataparallel;
