package org.bigmodels.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Batch;

/**
 * Driver-centric synchronous SGD on Spark, the naive and readable way (Spark MLlib's own mini-batch SGD works like
 * this; Dean et al. 2012 call the driver a parameter server with a barrier per step). Per step:
 * <ol>
 *   <li>the driver broadcasts the weights (a flat {@code float[]}, {@link ParameterVectors});</li>
 *   <li>each partition of the data — an RDD of {@link SparkBatch}es — takes its batch of this step (its
 *       (step mod n_p)-th), rebuilds the model from the {@link ModelSpec}, loads the weights, runs forward and
 *       backward, and emits n·ḡ (a {@link GradientAggregate}) — {@code mapPartitions};</li>
 *   <li>{@code treeAggregate} sums the contributions in a tree of depth 2 (executors combine before the driver
 *       receives, so the driver gets O(√P) messages instead of P);</li>
 *   <li>the driver divides by the number of examples and takes an SGD step with the course {@link SGD}.</li>
 * </ol>
 * With equal batches this is exactly the in-process synchronous data-parallel trainer of lesson 05 (one rank per
 * partition) up to float rounding; with unequal ones it is the correctly weighted global mean.
 *
 * <p><b>Faults.</b> A task is a pure function of (weights, step, partition): when it fails, Spark runs it again
 * (up to {@code spark.task.maxFailures}, the second number of {@code local[N, F]}) and the step's result is the same.
 * {@link #failOnFirstAttempt} injects such a failure.
 *
 * <p><b>Cost.</b> Every step is a Spark job: scheduling, serialising the closure and the weights, a broadcast, and
 * the gradients through the driver — tens of milliseconds even on {@code local[2]}, whatever the model
 * ({@link #fit} returns the time split). {@link SparkBarrierDdp} takes the driver off the per-step path.
 *
 * @param <M> the model type
 */
public final class SparkSyncSgd<M extends Module> {

    /**
     * What a run returns.
     *
     * @param model         the driver's model after the last step
     * @param losses        the mean loss over all partitions' examples at each step
     * @param stepMillis    the wall time of each step on the driver, ms (broadcast, job, aggregation, update)
     * @param computeMillis the longest task's forward+backward of each step, ms (the compute on the critical path)
     */
    public record Result<M>(M model, double[] losses, double[] stepMillis, double[] computeMillis) {
    }

    private final JavaSparkContext sc;
    private final ModelSpec<M> spec;
    private final double learningRate;
    private int failPartition = -1, failStep = -1;

    /**
     * @param sc           the Spark context (its master decides where the tasks run)
     * @param spec         how a task builds the model and its loss (must be serializable)
     * @param learningRate the SGD learning rate (no momentum), > 0
     * @throws IllegalArgumentException for a null argument, a rate <= 0, or a spec that cannot be serialized
     */
    public SparkSyncSgd(JavaSparkContext sc, ModelSpec<M> spec, double learningRate) {
        if (sc == null || spec == null || !(learningRate > 0)) {
            throw new IllegalArgumentException("SparkSyncSgd: expected a context, a model spec and a learning rate > 0, "
                    + "got " + sc + ", " + spec + ", " + learningRate);
        }
        checkSerializable(spec);
        this.sc = sc;
        this.spec = spec;
        this.learningRate = learningRate;
    }

    /** Makes partition {@code partition}'s task throw on its first attempt at step {@code step} (Spark retries it). */
    public SparkSyncSgd<M> failOnFirstAttempt(int partition, int step) {
        this.failPartition = partition;
        this.failStep = step;
        return this;
    }

    /**
     * Trains for {@code steps} steps from the spec's initial weights.
     *
     * @param data an RDD of batches; every partition must hold at least one batch
     * @throws IllegalArgumentException when the RDD is empty or a partition is empty (more partitions than batches)
     * @throws org.apache.spark.SparkException (unchecked at run time) when a task fails more than the allowed times
     */
    public Result<M> fit(JavaRDD<SparkBatch> data, int steps) {
        if (steps < 0) throw new IllegalArgumentException("SparkSyncSgd.fit: expected steps >= 0, got " + steps);
        checkPartitions(data);
        M model = spec.build();
        SGD sgd = new SGD(model.parameters(), learningRate);
        int length = ParameterVectors.length(model);
        double[] losses = new double[steps], wall = new double[steps], compute = new double[steps];
        for (int s = 0; s < steps; s++) {
            long t0 = System.nanoTime();
            Broadcast<float[]> weights = sc.broadcast(ParameterVectors.values(model));
            GradientAggregate agg = data
                    .mapPartitions(gradientOfPartition(spec, weights, s, failPartition, failStep))
                    .treeAggregate(new GradientAggregate(length), GradientAggregate::merge, GradientAggregate::merge, 2);
            weights.destroy();
            ParameterVectors.setGradients(model, agg.meanGradient());
            sgd.step();
            losses[s] = agg.meanLoss();
            wall[s] = (System.nanoTime() - t0) / 1e6;
            compute[s] = agg.maxComputeNanos() / 1e6;
        }
        return new Result<>(model, losses, wall, compute);
    }

    /** The task of one partition at step s: static, so the closure captures only serializable values. */
    private static <M extends Module> FlatMapFunction<Iterator<SparkBatch>, GradientAggregate> gradientOfPartition(
            ModelSpec<M> spec, Broadcast<float[]> weights, int step, int failPartition, int failStep) {
        return it -> {
            TaskContext task = TaskContext.get();
            if (task.partitionId() == failPartition && step == failStep && task.attemptNumber() == 0) {
                throw new IllegalStateException("injected failure: partition " + failPartition + ", step " + step
                        + ", first attempt (Spark will retry this task)");
            }
            List<SparkBatch> mine = new ArrayList<>();
            it.forEachRemaining(mine::add);
            SparkBatch sb = mine.get(step % mine.size());
            M model = spec.build();
            ParameterVectors.load(model, weights.value());
            Batch b = sb.toBatch();
            long t0 = System.nanoTime();
            Tensor loss = spec.loss(model, b);
            loss.backward();
            long t1 = System.nanoTime();
            return List.of(GradientAggregate.ofPartition(ParameterVectors.gradients(model), sb.rows(), loss.item(),
                    t1 - t0)).iterator();
        };
    }

    /**
     * Refuses an RDD with no batch or with an empty partition, naming the partition and the fix.
     */
    static void checkPartitions(JavaRDD<SparkBatch> data) {
        if (data == null) throw new IllegalArgumentException("Spark trainer: expected an RDD of SparkBatch, got null");
        List<Integer> counts = data.mapPartitions(it -> {
            int n = 0;
            while (it.hasNext()) { it.next(); n++; }
            return List.of(n).iterator();
        }).collect();
        int total = counts.stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            throw new IllegalArgumentException("Spark trainer: the RDD holds no batch (" + counts.size()
                    + " partitions, all empty); there is nothing to train on. Check the input path or filter.");
        }
        for (int p = 0; p < counts.size(); p++) {
            if (counts.get(p) == 0) {
                throw new IllegalArgumentException("Spark trainer: partition " + p + " of " + counts.size()
                        + " holds no batch (there are only " + total + " batches for " + counts.size()
                        + " partitions); every partition must compute a gradient each step. Use fewer partitions "
                        + "(data.coalesce(" + Math.min(total, counts.size()) + ")) or smaller batches.");
            }
        }
    }

    /** Serializes {@code spec} once on the driver so a non-serializable model fails here, clearly, not in a task. */
    static void checkSerializable(Object spec) {
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(spec);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("Spark trainer: the model spec " + spec.getClass().getName()
                    + " cannot be serialized: it holds a " + e.getMessage() + ", which is not Serializable. Spark "
                    + "ships the spec to every task; keep only sizes, seeds and settings in it (a record like MlpSpec) "
                    + "and build the model inside build(), not in the notebook cell.", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("Spark trainer: the model spec cannot be serialized: " + e, e);
        }
    }
}
