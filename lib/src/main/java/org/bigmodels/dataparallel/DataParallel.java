package org.bigmodels.dataparallel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.train.GradientSync;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distributed data parallelism for one replica: what the three strategies share. Each of W workers holds a full copy
 * of the model and computes the gradient of the mean loss on its own batch; {@link #synchronize} (called by the
 * {@link org.bigmodels.train.Trainer} between backward and the update, as a {@link GradientSync}) replaces every
 * gradient by its mean over the workers, so every replica takes the same step, the step of one worker on the
 * concatenated batch when the batches are of equal size (synchronous SGD; Dean et al. 2012, Goyal et al. 2017).
 *
 * <p>The strategies, compared in 05-data-parallel: {@link DataParallelNaive} (one all-reduce per parameter, after
 * backward), {@link DataParallelBucketed} (gradients packed into flat buckets, fewer and larger messages),
 * {@link DataParallelOverlapped} (each bucket all-reduced on a communication thread as soon as its gradients are
 * final, while backward goes on). They follow PyTorch's DistributedDataParallel (Li et al., "PyTorch Distributed:
 * Experiences on Accelerating Data Parallel Training", VLDB 2020, sections 3.2.1–3.2.3).
 *
 * <p>At construction (on every rank, at the same time: it is a collective) the parameters of rank 0 are broadcast to
 * all ranks, so the replicas start identical whatever their initialisation. {@link #noSync} skips synchronisation
 * for gradient accumulation ({@link GradientAccumulation}). Each replica records {@link WorkerEvent}s for timelines.
 *
 * <p>Errors: the communicator's (a CommunicationException naming the peer when one fails or times out); a parameter
 * of the optimizer that is not in the model gives an IllegalArgumentException.
 */
public abstract class DataParallel implements GradientSync, AutoCloseable {
    protected final Communicator comm;
    protected final List<Tensor> parameters;
    private final Map<Tensor, Integer> index = new IdentityHashMap<>();
    private final List<WorkerEvent> events = Collections.synchronizedList(new ArrayList<>());
    private boolean syncEnabled = true;
    private int step;
    private long computeStart = -1;

    /**
     * @param comm  this rank's communicator (world size W >= 1)
     * @param model this rank's replica; its parameters (registration order) are synchronised
     * @throws IllegalArgumentException if the model has no parameters or comm is null
     */
    protected DataParallel(Communicator comm, Module model) {
        if (comm == null || model == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected a communicator and a model");
        }
        this.comm = comm;
        this.parameters = List.copyOf(model.parameters());
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the model has no parameters");
        }
        for (int i = 0; i < parameters.size(); i++) index.put(parameters.get(i), i);
        broadcastParameters();
    }

    /** Copies rank 0's parameter values to every rank (one broadcast per parameter; a collective). */
    public final void broadcastParameters() {
        for (Tensor p : parameters) {
            INDArray flat = flatCopy(p.value());
            comm.broadcast(flat, 0);
            p.value().assign(flat.reshape('c', p.shape()));
        }
    }

    /** W, the number of replicas. */
    public int worldSize() {
        return comm.worldSize();
    }

    /** This replica's rank. */
    public int rank() {
        return comm.rank();
    }

    /** This rank's communicator, as given at construction (the caller's: {@link #close} does not close it). */
    public Communicator communicator() {
        return comm;
    }

    /** The synchronised parameters, in the model's registration order. */
    public List<Tensor> parameters() {
        return parameters;
    }

    @Override
    public final void beforeStep(int step) {
        this.step = step;
        this.computeStart = System.nanoTime();
        prepare();
    }

    /**
     * Averages every gradient over the replicas (unless inside {@link #noSync}). A parameter whose gradient is null
     * (not used by this replica's loss) counts as zero and receives the mean.
     *
     * @throws IllegalArgumentException if {@code optimizerParameters} holds a tensor that is not a model parameter
     */
    @Override
    public final void synchronize(List<Tensor> optimizerParameters) {
        long now = System.nanoTime();
        if (computeStart >= 0) record(WorkerEvent.COMPUTE, "F+B " + step, computeStart, now);
        computeStart = -1;
        for (Tensor p : optimizerParameters) {
            if (!index.containsKey(p)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": the optimizer updates a tensor "
                        + "that is not a parameter of the model given to it (" + p.name() + " " + java.util.Arrays
                        .toString(p.shape()) + "); build the optimizer on the same model");
            }
        }
        if (syncEnabled) reduce();
    }

    /** Called at the start of every step (before forward); strategies reset per-step state here. */
    protected void prepare() {
    }

    /** Replaces every parameter's gradient by its mean over the replicas. */
    protected abstract void reduce();

    /**
     * Turns synchronisation off until closed, for the inner micro-steps of gradient accumulation: gradients then
     * accumulate locally, and the first synchronisation after the scope averages their sum (PyTorch's
     * {@code DistributedDataParallel.no_sync()}). Scopes nest; every rank must use the same ones.
     */
    public NoSyncScope noSync() {
        boolean previous = syncEnabled;
        syncEnabled = false;
        return new NoSyncScope(this, previous);
    }

    /** Whether gradients are synchronised now (false inside {@link #noSync}). */
    public boolean isSyncEnabled() {
        return syncEnabled;
    }

    /** Restores the previous synchronisation mode on close. */
    public static final class NoSyncScope implements AutoCloseable {
        private final DataParallel owner;
        private final boolean previous;

        private NoSyncScope(DataParallel owner, boolean previous) {
            this.owner = owner;
            this.previous = previous;
        }

        @Override
        public void close() {
            owner.syncEnabled = previous;
        }
    }

    /** The position of {@code p} in {@link #parameters()}, or -1. */
    protected int indexOf(Tensor p) {
        return index.getOrDefault(p, -1);
    }

    /** The global step of the current training step (as given to {@link #beforeStep}). */
    protected int currentStep() {
        return step;
    }

    /** Records an interval of this rank (thread-safe: the communication thread records too). */
    protected void record(String lane, String label, long start, long end) {
        events.add(new WorkerEvent(comm.rank(), lane, label, step, start, end));
    }

    /** A copy of the events recorded so far, in the order recorded. */
    public List<WorkerEvent> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    /** Forgets the events recorded so far (for example the warm-up steps before a timed run); thread-safe. */
    public void clearEvents() {
        events.clear();
    }

    /**
     * Writes {@code mean} (flat, the parameter's length) into p's gradient: in place when there is one, else as a new
     * gradient (a parameter this replica did not use).
     */
    protected static void setGrad(Tensor p, INDArray mean) {
        INDArray shaped = mean.reshape('c', p.shape());
        if (p.grad() != null) p.grad().assign(shaped);
        else p.accumulateGrad(shaped);
    }

    /**
     * Writes {@code sum / worldSize} into p's gradient: in place in one pass (a scalar multiply from {@code sum} into
     * the gradient) when p has a row-major gradient, else as {@link #setGrad} of the quotient. {@code sum} has p's
     * length (flat or p's shape) and is not changed.
     */
    protected static void setMeanGrad(Tensor p, INDArray sum, int worldSize) {
        INDArray shaped = java.util.Arrays.equals(sum.shape(), p.shape()) ? sum : sum.reshape('c', p.shape());
        INDArray g = p.grad();
        if (g != null && g.ordering() == 'c' && Shape.hasDefaultStridesForShape(g) && shaped.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(shaped)) {
            Nd4j.getExecutioner().exec(new ScalarMultiplication(shaped, null, g, 1.0 / worldSize));
        } else {
            setGrad(p, shaped.div(worldSize));
        }
    }

    /** A fresh rank-1 row-major copy of {@code a} (length a.length()). */
    protected static INDArray flatCopy(INDArray a) {
        return a.dup('c').reshape('c', new long[] {a.length()}); // long[]: ('c', n) reads 'c' as a size
    }

    /** Releases what the strategy holds (threads, hooks); the communicator is the caller's. */
    @Override
    public void close() {
    }
}
