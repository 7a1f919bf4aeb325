/**
 * Data-parallel training on Apache Spark 3.5 (lesson 11-spark-scale-out): the course's synchronous data parallelism
 * of lesson 05 run by an engine that owns the cluster, the same code on {@code local[N]} and under
 * {@code spark-submit}.
 *
 * <p>Where to start: {@link org.bigmodels.spark.SparkSyncSgd}, driver-centric synchronous SGD (broadcast the weights,
 * {@code mapPartitions} computes each partition's gradient, {@code treeAggregate} sums them with
 * {@link org.bigmodels.spark.GradientAggregate}, the driver steps: one Spark job per step). Then
 * {@link org.bigmodels.spark.SparkBarrierDdp}, executor-side all-reduce: one barrier stage whose tasks form a socket
 * group and run lesson 05's DDP, with a checkpoint to resume a rerun stage from; and
 * {@link org.bigmodels.spark.Dl4jSparkAveraging}, DL4J's own parameter averaging on Spark.
 *
 * <p>Around them: the model as a serializable recipe ({@link org.bigmodels.spark.ModelSpec},
 * {@link org.bigmodels.spark.MlpSpec}), batches as RDD rows ({@link org.bigmodels.spark.SparkBatch}), flat weight
 * vectors ({@link org.bigmodels.spark.ParameterVectors}), per-step timing ({@link org.bigmodels.spark.DdpStepTimes}),
 * a Spark context for notebooks and tests ({@link org.bigmodels.spark.SparkContexts}), a {@code main} for
 * {@code spark-submit} ({@link org.bigmodels.spark.SparkTrainJob}), a one-host standalone cluster
 * ({@link org.bigmodels.spark.StandaloneCluster}) and {@code ./course bench spark}
 * ({@link org.bigmodels.spark.SparkStepBenchmark}).
 */
package org.bigmodels.spark;
