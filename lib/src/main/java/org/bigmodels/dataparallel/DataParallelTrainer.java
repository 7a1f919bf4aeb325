package org.bigmodels.dataparallel;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.paramserver.FaultPlan;
import org.bigmodels.paramserver.InjectedFaultException;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Checkpoint;
import org.bigmodels.train.GradientSync;
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
 * <p><b>Faults.</b> A {@link FaultPlan} ({@link #withFaults}) makes a rank fail (an {@link InjectedFaultException})
 * or straggle (sleep) at the start of a step, before its forward pass and before any communication of that step.
 * A straggler only slows the run: every all-reduce waits for it, so the result is exactly the fault-free one
 * (synchronous semantics). A failed rank STOPS the run: this is the default and the only mode, as in PyTorch's
 * DistributedDataParallel over NCCL or Gloo. Its communicator is aborted, the peers blocked in the all-reduce of that
 * step fail at once, and the run throws a {@link org.bigmodels.comm.CommunicationException} naming the rank that
 * failed first (its exception as the cause). No replica applies the abandoned step: the optimizer step comes after
 * the all-reduce, which needs every rank's gradient. Each surviving replica's {@code Trainer.step()} is the number of
 * steps it applied, and its weights are exactly those of the single-worker run after that many steps. With two
 * ranks, every survivor stops at the failed step k. With more ranks, a survivor still waiting for a peer's last
 * message of step k−1 may also abandon step k−1. Why stop rather than continue: continuing with the survivors would
 * silently shrink the global batch (W−1 shards instead of W) and change the mean gradient, so the run would no longer
 * equal the single-worker run on the concatenated batch, and it would depend on when the fault happened. The parameter
 * server shows the other choice ({@link org.bigmodels.paramserver.FailurePolicy#CONTINUE_WITH_SURVIVORS}). To
 * recover, start a new group and resume from rank 0's last checkpoint ({@link TrainConfig#withCheckpoint},
 * {@link #resumeFrom(Path)}). The shard sources are functions of the global step, so the resumed run ends exactly
 * where an unbroken run would.
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

    /**
     * Buckets of {@code bucketBytes} bytes summed with {@code algorithm} ({@link DataParallelBucketed}), e.g.
     * {@code new SharedMemoryAllReduce()} for ranks that are threads of one JVM.
     */
    public static Strategy bucketed(long bucketBytes, org.bigmodels.comm.AllReduce algorithm) {
        return (c, m) -> new DataParallelBucketed(c, m, bucketBytes, algorithm);
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
    private final BiFunction<M, DataParallel, Optimizer> optimizer;
    private final BiFunction<M, Batch, Tensor> loss;
    private final TrainConfig config;
    private final Strategy strategy;
    private Path resumeFrom;
    private FaultPlan faults = FaultPlan.none();
    private BiConsumer<Integer, Trainer> onStart;

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
        this.optimizer = (m, ddp) -> optimizer.apply(m);
        this.loss = loss;
        this.config = config;
        this.strategy = strategy;
    }

    /**
     * The same with an optimizer built from the replica's model AND its strategy: for strategies that own the update,
     * such as ZeRO ({@code org.bigmodels.memory.ZeroDataParallel}, whose optimizer state is partitioned over the ranks
     * and needs the strategy's communicator and shards).
     */
    public DataParallelTrainer(IntFunction<M> model, BiFunction<M, DataParallel, Optimizer> optimizer,
                               BiFunction<M, Batch, Tensor> loss, TrainConfig config, Strategy strategy) {
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
     * Injects faults: at the start of every global step s (0-based), rank r calls {@code faults.beforeStep(r, s)},
     * which sleeps for a planned straggle and throws an {@link InjectedFaultException} for a planned failure (see the
     * class doc: the run then stops, naming the rank). The plan's worker numbers are ranks.
     *
     * @param faults the plan; {@link FaultPlan#none()} (the default) turns injection off
     * @return this trainer
     * @throws IllegalArgumentException if {@code faults} is null
     */
    public DataParallelTrainer<M> withFaults(FaultPlan faults) {
        if (faults == null) {
            throw new IllegalArgumentException("DataParallelTrainer.withFaults: expected a FaultPlan, got null; "
                    + "use FaultPlan.none() for no faults");
        }
        this.faults = faults;
        return this;
    }

    /**
     * Calls {@code listener} with (rank, Trainer) on each rank's thread once its Trainer is built (and resumed), before
     * the first step. Use it to see how far each replica got when a run fails: a failed run returns no replicas.
     * Null turns it off.
     *
     * @return this trainer
     */
    public DataParallelTrainer<M> onTrainerStart(BiConsumer<Integer, Trainer> listener) {
        this.onStart = listener;
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
            Trainer trainer = new Trainer(replica, optimizer.apply(replica, ddp), mine, withFaults(comm.rank(), ddp));
            if (resumeFrom != null) Checkpoint.loadTraining(resumeFrom, trainer); // the same file on every rank
            if (onStart != null) onStart.accept(comm.rank(), trainer);
            IntFunction<Batch> batches = source.forRank(comm.rank(), comm.worldSize());
            History history = trainer.fitSteps(steps, batches, b -> loss.apply(replica, b), null);
            return new Replica<>(comm.rank(), replica, trainer, ddp, history, ddp.events());
        }
    }

    /** The strategy with this rank's faults applied at the start of each step, or the strategy itself if none. */
    private GradientSync withFaults(int rank, DataParallel ddp) {
        if (faults.faults().isEmpty()) return ddp;
        FaultPlan plan = faults;
        return new GradientSync() {
            @Override
            public void beforeStep(int step) {
                plan.beforeStep(rank, step); // before the forward pass and any communication of the step
                ddp.beforeStep(step);
            }

            @Override
            public void synchronize(List<Tensor> parameters) {
                ddp.synchronize(parameters);
            }
        };
    }
}
