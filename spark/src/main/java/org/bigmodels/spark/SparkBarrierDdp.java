package org.bigmodels.spark;

import java.io.IOException;
import java.io.Serializable;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.SocketCommunicator;
import org.bigmodels.dataparallel.DataParallelTrainer;
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
 * task: the group's sockets and state are lost with any member), up to {@code spark.stage.maxConsecutiveAttempts}
 * (default 4) times. Spark reruns only a barrier stage whose output goes to a shuffle (a ShuffleMapStage): a failed
 * barrier ResultStage aborts the job ("Could not recover from a failed barrier ResultStage"), so {@link #fit} ends the
 * barrier stage with a one-partition shuffle of the tasks' results. With {@link #withCheckpoint} rank 0 writes a
 * training checkpoint (weights, optimizer state, step: {@link TrainConfig#withCheckpoint}) every few steps, and every
 * task of a rerun stage resumes from it ({@link DataParallelTrainer#resumeFrom}); the batches are functions of the
 * global step, so the final weights equal an uninterrupted run's. {@link #failOnFirstAttempt} injects a failure to
 * show it. The checkpoint file must be on storage every task sees (here: one host; on a cluster: a shared file system).
 * Each task attempt also needs a free slot, so {@code local[N]} must allow retries: {@code local[N, maxAttempts]}.
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
     * @param commMillis  rank 0's all-reduce time (communication and waiting) of each step, ms
     *                    ({@link DdpStepTimes#commMillis}); NaN before {@code resumedFrom}
     * @param jobMillis   the whole Spark job on the driver, ms (includes task launch and rendezvous)
     * @param stageAttempt the attempt number of the barrier stage that finished (0 when no task failed; 1 after one
     *                     rerun of the whole stage)
     * @param resumedFrom  the step the finishing stage attempt resumed from (0: from the start; else the step of the
     *                     checkpoint it loaded); {@code losses} and {@code stepMillis} are NaN before it
     */
    public record Result(float[] weights, double[] losses, double[] stepMillis, double[] commMillis, double jobMillis,
                         int stageAttempt, int resumedFrom) {
    }

    /** What one task sends back. */
    record TaskResult(int rank, float[] weights, double[] losses, double[] stepMillis, double[] commMillis,
                      int stageAttempt, int resumedFrom) implements Serializable {
    }

    private final JavaSparkContext sc;
    private final ModelSpec<M> spec;
    private final double learningRate;
    private final long bucketBytes;
    private final long timeoutMillis;
    private Path checkpoint;
    private int checkpointEvery;
    private int failRank = -1, failStep = -1;

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
     * Makes rank 0 write a training checkpoint to {@code file} every {@code everySteps} steps, and every task of a
     * rerun barrier stage resume from it (see the class doc). {@link #fit} deletes {@code file} first: each fit is a
     * new run. Null turns checkpointing off.
     *
     * @param file       a path every task can read (one host, or a shared file system)
     * @param everySteps >= 1
     * @return this trainer
     */
    public SparkBarrierDdp<M> withCheckpoint(Path file, int everySteps) {
        if (file != null && everySteps < 1) {
            throw new IllegalArgumentException("SparkBarrierDdp.withCheckpoint: expected everySteps >= 1, got "
                    + everySteps);
        }
        this.checkpoint = file;
        this.checkpointEvery = everySteps;
        return this;
    }

    /**
     * For demonstrations and tests: the task of rank {@code rank} throws at the start of global step {@code step}
     * (before its forward pass) in the first attempt of the barrier stage only, so Spark kills the group and reruns
     * the whole stage. Needs retries ({@code local[N, maxAttempts >= 2]}); a negative rank turns it off.
     *
     * @return this trainer
     */
    public SparkBarrierDdp<M> failOnFirstAttempt(int rank, int step) {
        this.failRank = rank;
        this.failStep = step;
        return this;
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
        if (checkpoint != null) {
            try {
                Files.deleteIfExists(checkpoint); // a new run: a rerun stage must not resume from an older run's file
            } catch (IOException e) {
                throw new IllegalStateException("SparkBarrierDdp: cannot delete the old checkpoint " + checkpoint
                        + ": " + e.getMessage(), e);
            }
        }
        TrainTask<M> task = new TrainTask<>(spec, learningRate, bucketBytes, timeoutMillis, steps)
                .withCheckpoint(checkpoint == null ? null : checkpoint.toAbsolutePath().toString(), checkpointEvery)
                .failOnFirstAttempt(failRank, failStep);
        List<TaskResult> results;
        try {
            var trained = data.rdd().barrier()
                    .mapPartitions(task, false, ClassTag$.MODULE$.apply(TaskResult.class));
            // a shuffle after the barrier stage makes it a ShuffleMapStage, the kind Spark reruns (class doc)
            results = new ArrayList<>(new JavaRDD<>(trained, ClassTag$.MODULE$.apply(TaskResult.class))
                    .repartition(1).collect());
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
        return new Result(r0.weights(), losses, r0.stepMillis(), r0.commMillis(), job, r0.stageAttempt(),
                r0.resumedFrom());
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
        private String checkpoint; // a String: Path is not Serializable
        private int checkpointEvery, failRank = -1, failStep = -1;

        TrainTask(ModelSpec<M> spec, double lr, long bucketBytes, long timeoutMillis, int steps) {
            this.spec = spec;
            this.lr = lr;
            this.bucketBytes = bucketBytes;
            this.timeoutMillis = timeoutMillis;
            this.steps = steps;
        }

        TrainTask<M> withCheckpoint(String file, int every) {
            this.checkpoint = file;
            this.checkpointEvery = every;
            return this;
        }

        TrainTask<M> failOnFirstAttempt(int rank, int step) {
            this.failRank = rank;
            this.failStep = step;
            return this;
        }

        @Override
        public scala.collection.Iterator<TaskResult> apply(scala.collection.Iterator<SparkBatch> it) {
            List<SparkBatch> mine = new ArrayList<>(JavaConverters.seqAsJavaList(it.toList()));
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            int world = ctx.getTaskInfos().length;
            // rank 0 picks a free loopback port and tells everyone: the one allGather of the run
            String[] ports = ctx.allGather(rank == 0 ? String.valueOf(freePort()) : "");
            int port = Integer.parseInt(ports[0]);
            int attempt = ctx.stageAttemptNumber();
            boolean fail = attempt == 0 && rank == failRank;
            TaskResult result;
            try (Communicator comm = SocketCommunicator.connect(rank, world, port, timeoutMillis)) {
                TrainConfig config = TrainConfig.defaults().withProgress(false).withLogEvery(1);
                Path file = checkpoint == null ? null : Path.of(checkpoint);
                if (file != null) config = config.withCheckpoint(file, checkpointEvery); // rank 0's only (DDP)
                DataParallelTrainer<M> ddp = new DataParallelTrainer<>(r -> spec.build(),
                        m -> new SGD(m.parameters(), lr), spec::loss, config, DataParallelTrainer.bucketed(bucketBytes));
                // rank 0 wrote it atomically in an earlier attempt of this stage: every rank loads the same file
                if (file != null && Files.exists(file)) ddp.resumeFrom(file);
                int[] start = {0};
                ddp.onTrainerStart((r, trainer) -> start[0] = trainer.step());
                var replica = ddp.fitSteps(comm, steps, (r, w) -> s -> {
                    if (fail && s == failStep) {
                        throw new IllegalStateException("SparkBarrierDdp: injected failure of rank " + rank
                                + " at step " + s + " (stage attempt " + attempt + ")");
                    }
                    return mine.get(s % mine.size()).toBatch();
                });
                History h = replica.history();
                int done = h.size(), from = steps - done;
                double[] losses = new double[steps], stepMillis = new double[steps], commMillis = new double[steps];
                Arrays.fill(losses, Double.NaN);
                Arrays.fill(stepMillis, Double.NaN);
                Arrays.fill(commMillis, Double.NaN);
                System.arraycopy(h.losses(), 0, losses, from, done);
                double[] ms = DdpStepTimes.stepMillis(h);
                System.arraycopy(ms, 0, stepMillis, from, Math.min(done, ms.length));
                double[] commMs = DdpStepTimes.commMillis(replica.events(), from, done);
                System.arraycopy(commMs, 0, commMillis, from, done);
                result = new TaskResult(rank, ParameterVectors.values(replica.model()), losses, stepMillis,
                        commMillis, attempt, start[0]);
            }
            return JavaConverters.asScalaIterator(List.of(result).iterator());
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
