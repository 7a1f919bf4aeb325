package org.bigmodels.dataparallel;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Checkpoint;
import org.bigmodels.train.History;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Synchronous data-parallel training with the course {@link Trainer}: W replicas, each on its own worker thread (or
 * process), each with its own model (built by the same factory; rank 0's weights are broadcast at the start), its own
 * optimizer, its own shard of the data and its own Trainer (so its own Arena), and a {@link DataParallel} strategy
 * as the Trainer's gradient synchronisation. There is no second training loop: this class only builds the replicas
 * and runs the Trainer on each. Progress and checkpoints are rank 0's only (the replicas are identical); every replica
 * resumes from that one file ({@link #resumeFrom}). Taught in 05-data-parallel.
 *
 * @param <M> the model type (the loss function sees it)
 */
public final class DataParallelTrainer<M extends Module> {

    /** Builds one replica's data parallelism from its communicator and model (a collective: all ranks at once). */
    @FunctionalInterface
    public interface Strategy {
        DataParallel create(Communicator comm, Module model);
    }

    /** One all-reduce per parameter ({@link DataParallelNaive}). */
    public static Strategy naive() {
        return DataParallelNaive::new;
    }

    /** Buckets of {@code bucketBytes} bytes ({@link DataParallelBucketed}). */
    public static Strategy bucketed(long bucketBytes) {
        return (c, m) -> new DataParallelBucketed(c, m, bucketBytes);
    }

    /** Buckets all-reduced during backward ({@link DataParallelOverlapped}). */
    public static Strategy overlapped(long bucketBytes) {
        return (c, m) -> new DataParallelOverlapped(c, m, bucketBytes);
    }

    /** The batches of each rank: rank r of W gets the batch source of {@link Trainer#fitSteps} (global step -> batch). */
    @FunctionalInterface
    public interface ShardSource {
        IntFunction<Batch> forRank(int rank, int worldSize);

        /**
         * Batches of {@code batchSize} examples per worker from (x, y) dealt by a {@link DistributedSampler} (shuffled
         * by (seed, epoch), padded): the global batch is W·batchSize.
         */
        static ShardSource sampled(INDArray x, INDArray y, int batchSize, long seed) {
            return (rank, w) -> new DistributedSampler((int) x.size(0), w, rank, seed).stepSource(x, y, batchSize);
        }
    }

    /** What one worker ends with: its model, trainer (and optimizer), strategy (closed), logged history, events. */
    public record Replica<M extends Module>(int rank, M model, Trainer trainer, DataParallel dataParallel,
                                            History history, List<WorkerEvent> events) {
    }

    private final IntFunction<M> model;
    private final Function<M, Optimizer> optimizer;
    private final BiFunction<M, Batch, Tensor> loss;
    private final TrainConfig config;
    private final Strategy strategy;
    private Path resumeFrom;

    /**
     * @param model     builds rank r's replica (called once per rank, on that rank's thread; the weights need not
     *                  agree: rank 0's are broadcast)
     * @param optimizer builds the replica's optimizer on its parameters
     * @param loss      the mean loss of a batch for a replica (use a mean: the all-reduced mean gradient is then the
     *                  gradient of the mean over the global batch)
     * @param config    the Trainer's configuration (the same seed on every rank; progress shown by rank 0 only)
     * @param strategy  {@link #naive()}, {@link #bucketed}, {@link #overlapped}
     */
    public DataParallelTrainer(IntFunction<M> model, Function<M, Optimizer> optimizer, BiFunction<M, Batch, Tensor> loss,
                               TrainConfig config, Strategy strategy) {
        if (model == null || optimizer == null || loss == null || config == null || strategy == null) {
            throw new IllegalArgumentException("DataParallelTrainer: expected a model factory, an optimizer factory, "
                    + "a loss, a config and a strategy; got a null");
        }
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.config = config;
        this.strategy = strategy;
    }

    /**
     * Resumes from a training checkpoint (written by rank 0 of an earlier run with
     * {@link TrainConfig#withCheckpoint}): every replica loads the same file ({@link Checkpoint#loadTraining}: weights,
     * optimizer state, step, seed) after the start-up broadcast and before training, so the replicas start equal and
     * the run continues as if it had not stopped (the shard sources are functions of the global step). The next
     * {@code fitSteps} counts its {@code steps} as a total, so it runs only what is left. Null turns resuming off.
     *
     * @return this trainer
     */
    public DataParallelTrainer<M> resumeFrom(Path checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Trains {@code worldSize} replicas on worker threads in this JVM for {@code steps} steps.
     *
     * @param timeoutMillis longest wait of any receive and of the whole run, ms
     * @return the replicas in rank order
     * @throws IllegalArgumentException for worldSize < 1
     * @throws org.bigmodels.comm.CommunicationException naming the rank that failed first (its exception is the
     *                                                   cause), or the ranks still running at the time-out
     */
    public List<Replica<M>> fitSteps(int worldSize, long timeoutMillis, int steps, ShardSource source) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("DataParallelTrainer: expected a world size of at least 1, got "
                    + worldSize);
        }
        return ThreadCommunicator.run(worldSize, timeoutMillis, comm -> fitSteps(comm, steps, source));
    }

    /**
     * Trains this rank's replica for {@code steps} steps: the code of one worker, for any backend (a thread of
     * {@link #fitSteps(int, long, int, ShardSource)}, or a process with a socket communicator). Every rank must call
     * it with the same arguments.
     */
    public Replica<M> fitSteps(Communicator comm, int steps, ShardSource source) {
        M replica = model.apply(comm.rank());
        try (DataParallel ddp = strategy.create(comm, replica)) {
            TrainConfig mine = config.withProgress(config.progress() && comm.rank() == 0);
            if (comm.rank() != 0) mine = mine.withCheckpoint(null, 0); // one checkpoint file, written by rank 0
            Trainer trainer = new Trainer(replica, optimizer.apply(replica), mine, ddp);
            if (resumeFrom != null) Checkpoint.loadTraining(resumeFrom, trainer); // the same file on every rank
            IntFunction<Batch> batches = source.forRank(comm.rank(), comm.worldSize());
            History history = trainer.fitSteps(steps, batches, b -> loss.apply(replica, b), null);
            return new Replica<>(comm.rank(), replica, trainer, ddp, history, ddp.events());
        }
    }
}
