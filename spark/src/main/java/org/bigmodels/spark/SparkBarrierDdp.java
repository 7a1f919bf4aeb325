package org.bigmodels.spark;

import java.io.IOException;
import java.io.Serializable;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.SocketCommunicator;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.dataparallel.WorkerEvent;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.History;
import org.bigmodels.train.TrainConfig;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Executor-side all-reduce on Spark, the practical way (Spark's barrier execution mode, SPIP SPARK-24374; PyTorch's
 * TorchDistributor and Horovod-on-Spark work like this): ONE Spark job whose barrier stage starts one long-lived task
 * per partition, all at once or none. The tasks swap addresses with one {@link BarrierTaskContext#allGather} (rank 0
 * publishes its rendezvous port), form a {@link SocketCommunicator} group among themselves, and run the course's
 * synchronous DDP ({@link DataParallelTrainer}, bucketed all-reduce, lesson 05) for every step. The driver is off the
 * per-step path: it only receives rank 0's final weights.
 *
 * <p><b>Limits.</b> The course's socket backend talks over 127.0.0.1 only, so the tasks must share a machine:
 * {@code local[N]} or a standalone cluster on one host (what the course runs). On many hosts the same design needs a
 * communicator that binds the executor's address (Gloo, MPI, NCCL do). A barrier stage needs as many free slots as
 * partitions; Spark refuses otherwise ({@link #fit} says so before submitting). Batch sizes should be equal across
 * partitions: DDP averages the ranks' mean gradients with equal weights.
 *
 * <p><b>Faults.</b> If any task of a barrier stage fails, Spark kills all of them and reruns the whole stage (not one
 * task: the group's state is lost with any member), up to {@code spark.stage.maxConsecutiveAttempts} times; a
 * stage that trains for long should resume from the last checkpoint (the course's {@link TrainConfig#withCheckpoint}
 * written by rank 0 to shared storage, and {@link DataParallelTrainer#resumeFrom}).
 *
 * @param <M> the model type
 */
public final class SparkBarrierDdp<M extends Module> {

    /**
     * What a run returns.
     *
     * @param weights     rank 0's final weights, flat ({@link ParameterVectors#load} them into {@code spec.build()})
     * @param losses      the mean over ranks of each step's loss
     * @param stepMillis  rank 0's wall time per step, ms
     * @param commMillis  rank 0's all-reduce time (communication and waiting) per step on average, ms
     * @param jobMillis   the whole Spark job on the driver, ms (includes task launch and rendezvous)
     */
    public record Result(float[] weights, double[] losses, double[] stepMillis, double commMillis, double jobMillis) {
    }

    /** What one task sends back. */
    record TaskResult(int rank, float[] weights, double[] losses, double[] stepMillis, double commMillis)
            implements Serializable {
    }

    private final JavaSparkContext sc;
    private final ModelSpec<M> spec;
    private final double learningRate;
    private final long bucketBytes;
    private final long timeoutMillis;

    /**
     * @param sc            the Spark context
     * @param spec          how each task builds the model and its loss (serializable)
     * @param learningRate  SGD learning rate, > 0
     * @param bucketBytes   DDP bucket size in bytes (lesson 05), > 0
     * @param timeoutMillis the socket group's rendezvous and receive time-out, ms
     */
    public SparkBarrierDdp(JavaSparkContext sc, ModelSpec<M> spec, double learningRate, long bucketBytes,
                           long timeoutMillis) {
        if (sc == null || spec == null || !(learningRate > 0) || bucketBytes < 1 || timeoutMillis < 1) {
            throw new IllegalArgumentException("SparkBarrierDdp: expected a context, a spec, learning rate > 0, "
                    + "bucketBytes >= 1, timeoutMillis >= 1; got " + sc + ", " + spec + ", " + learningRate + ", "
                    + bucketBytes + ", " + timeoutMillis);
        }
        SparkSyncSgd.checkSerializable(spec);
        this.sc = sc;
        this.spec = spec;
        this.learningRate = learningRate;
        this.bucketBytes = bucketBytes;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Trains for {@code steps} steps in one barrier stage, one rank per partition.
     *
     * @throws IllegalArgumentException when the RDD or a partition is empty, or there are more partitions than task
     *                                  slots (a barrier stage must start all its tasks at once)
     */
    public Result fit(JavaRDD<SparkBatch> data, int steps) {
        if (steps < 0) throw new IllegalArgumentException("SparkBarrierDdp.fit: expected steps >= 0, got " + steps);
        SparkSyncSgd.checkPartitions(data);
        int partitions = data.getNumPartitions();
        int slots = sc.defaultParallelism();
        if (partitions > slots) {
            throw new IllegalArgumentException(tooManyTasks(partitions, slots));
        }
        long t0 = System.nanoTime();
        TrainTask<M> task = new TrainTask<>(spec, learningRate, bucketBytes, timeoutMillis, steps);
        List<TaskResult> results;
        try {
            Object collected = data.rdd().barrier()
                    .mapPartitions(task, false, ClassTag$.MODULE$.apply(TaskResult.class))
                    .collect();
            results = new ArrayList<>();
            for (Object o : (Object[]) collected) results.add((TaskResult) o);
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("SPARK-24819")) {
                throw new IllegalArgumentException(tooManyTasks(partitions, slots) + " Spark said: " + e.getMessage(), e);
            }
            throw e;
        }
        double job = (System.nanoTime() - t0) / 1e6;
        results.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
        double[] losses = new double[steps];
        for (TaskResult r : results) for (int s = 0; s < steps; s++) losses[s] += r.losses()[s] / results.size();
        TaskResult r0 = results.get(0);
        return new Result(r0.weights(), losses, r0.stepMillis(), r0.commMillis(), job);
    }

    static String tooManyTasks(int partitions, int slots) {
        return "SparkBarrierDdp: the barrier stage needs " + partitions + " tasks running at once but the cluster has "
                + slots + " task slots. Spark refuses such a stage (error SPARK-24819, 'Barrier execution mode does not "
                + "allow run a barrier stage that requires more slots than the total number of slots in the cluster "
                + "currently'): unlike a normal stage, whose tasks can queue, all ranks of an all-reduce group must be "
                + "alive together or the first all-reduce would wait forever. Use data.coalesce(" + slots
                + ") or more executor cores.";
    }

    /** The code of one barrier task: rendezvous over the barrier context, then the course DDP over sockets. */
    static final class TrainTask<M extends Module>
            extends AbstractFunction1<scala.collection.Iterator<SparkBatch>, scala.collection.Iterator<TaskResult>>
            implements Serializable {
        private final ModelSpec<M> spec;
        private final double lr;
        private final long bucketBytes, timeoutMillis;
        private final int steps;

        TrainTask(ModelSpec<M> spec, double lr, long bucketBytes, long timeoutMillis, int steps) {
            this.spec = spec;
            this.lr = lr;
            this.bucketBytes = bucketBytes;
            this.timeoutMillis = timeoutMillis;
            this.steps = steps;
        }

        @Override
        public scala.collection.Iterator<TaskResult> apply(scala.collection.Iterator<SparkBatch> it) {
            List<SparkBatch> mine = new ArrayList<>(JavaConverters.seqAsJavaList(it.toList()));
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            int world = ctx.getTaskInfos().length;
            // rank 0 picks a free loopback port and tells everyone: the one allGather of the run (each costs >= 1 s)
            String[] ports = ctx.allGather(rank == 0 ? String.valueOf(freePort()) : "");
            int port = Integer.parseInt(ports[0]);
            TaskResult result;
            try (Communicator comm = SocketCommunicator.connect(rank, world, port, timeoutMillis)) {
                DataParallelTrainer<M> ddp = new DataParallelTrainer<>(r -> spec.build(),
                        m -> new SGD(m.parameters(), lr), spec::loss,
                        TrainConfig.defaults().withProgress(false).withLogEvery(1),
                        DataParallelTrainer.bucketed(bucketBytes));
                var replica = ddp.fitSteps(comm, steps, (r, w) -> s -> mine.get(s % mine.size()).toBatch());
                History h = replica.history();
                double[] stepMillis = stepMillis(h, steps);
                double comm0 = 0;
                for (WorkerEvent e : replica.events()) {
                    if (!e.lane().equals(WorkerEvent.COMPUTE)) comm0 += e.millis();
                }
                result = new TaskResult(rank, ParameterVectors.values(replica.model()), Arrays.copyOf(h.losses(), steps),
                        stepMillis, steps == 0 ? 0 : comm0 / steps);
            }
            return JavaConverters.asScalaIterator(List.of(result).iterator());
        }

        private static double[] stepMillis(History h, int steps) {
            double[] secs = h.table().doubleColumn("seconds").asDoubleArray(); // since the start, after each step
            double[] t = new double[Math.min(steps, secs.length)];
            for (int i = 0; i < t.length; i++) t[i] = 1000 * (secs[i] - (i == 0 ? 0 : secs[i - 1]));
            return t;
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket(0, 1, SocketCommunicator.loopback())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("SparkBarrierDdp: no free loopback port: " + e.getMessage(), e);
            }
        }
    }
}
