package org.bigmodels.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.bigmodels.dataparallel.DataParallelTrainer;
import org.bigmodels.comm.Chunks;
import org.bigmodels.comm.Communicator;
import org.bigmodels.dataparallel.DataParallel;
import org.bigmodels.dataparallel.WorkerEvent;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Optimizer;
import org.bigmodels.optim.ParamGroup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ZeRO-powered data parallelism (Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter
 * Models", SC 2020, section 5) for one replica of the course's {@link org.bigmodels.dataparallel.DataParallelTrainer}:
 * a {@link DataParallel} strategy together with its AdamW ({@link #optimizer()}), at a {@link ZeroStage}.
 *
 * <p><b>Partition.</b> Every parameter's flat array of n elements is cut into W slices by
 * {@link Chunks#bounds}(n, W) (balanced, the communicator's reduce-scatter and all-gather bounds); rank r owns slice r
 * of every parameter, so it owns Ψ/W parameters give or take one per tensor (PyTorch FSDP shards each flat parameter
 * the same way; DeepSpeed cuts one flat vector of all parameters).
 * <ul>
 *   <li>Stage 1: backward as usual (full gradients); in {@code step()} each parameter's gradient is
 *   reduce-scattered, rank r updates its slice with an {@link AdamWShard} (state for its slice only) and the slices are
 *   all-gathered.</li>
 *   <li>Stage 2: a {@link Tensor#onGradReady} hook on every parameter reduce-scatters its gradient as soon as backward
 *   has finished it, adds rank r's slice (the mean) to a gradient shard and frees the full gradient
 *   ({@code zeroGrad}), while backward goes on; {@code step()} updates from the shard and all-gathers.</li>
 *   <li>Stage 3: the parameters are kept as slices. The layers given as units (a GPT's blocks) share one gathered
 *   working buffer: each unit's parameters are all-gathered into it just before the unit runs, and the unit runs as
 *   an {@link ActivationCheckpoint} whose recomputation in backward all-gathers them again (the buffer has meanwhile
 *   held other units); the other parameters (embeddings, final norm, head) are gathered at the start of each step into
 *   a buffer of their own. Gradients as in stage 2; {@code step()} updates the slices only.</li>
 * </ul>
 * Every stage takes the step of plain data parallelism with AdamW (checked by {@code ZeroEquivalenceTest} for W = 1..4).
 *
 * <p><b>Rules.</b> Every rank's loss must use the same parameters in the same order (the hooks' collectives must match);
 * a parameter no rank used gets a zero gradient, as in plain data parallelism. Gradient clipping needs the global norm
 * of a sharded gradient and is not supported for stages 2 and 3 (leave {@code clipNorm} at 0); the Trainer's NaN check
 * sees no gradients then. Stage 3 runs the GPT through {@link #gptLoss} (dropout must be 0: recomputation must give
 * the same values). Not for checkpointing to a file (the optimizer's {@code state} is per rank).
 */
public final class ZeroDataParallel extends DataParallel {
    private final ZeroStage stage;
    private final int w, r;
    private final long[][] bounds;             // per parameter: Chunks.bounds(n, W)
    private final AdamWShard[] shards;         // per parameter: rank r's AdamW over its slice
    private final INDArray[] gradShard;        // stages 2, 3: per parameter, the mean gradient of slice r
    private final INDArray[] paramShard;       // stage 3: per parameter, slice r of the weights (the only copy)
    private final INDArray work;               // a reusable flat buffer of the largest parameter's length
    private final List<Runnable> removeHooks = new ArrayList<>();
    private final boolean[] reducedThisStep;
    private final List<List<Tensor>> units = new ArrayList<>();
    private final List<Tensor> resident = new ArrayList<>();
    private INDArray unitBuffer, residentBuffer; // stage 3: the gathered working sets
    private final Map<Module, ActivationCheckpoint> checkpoints = new IdentityHashMap<>();
    private final Map<Module, List<Tensor>> unitParameters = new IdentityHashMap<>();
    private final ZeroOptimizer optimizer;
    private final Module model;
    private boolean residentCurrent;             // stage 3: the resident buffer holds the latest weights
    private boolean closed;
    // the replica of each model, for lossOf (weak keys: a model no longer used is forgotten)
    private static final Map<Module, ZeroDataParallel> BY_MODEL =
            Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * A collective: every rank builds its own at the same point (rank 0's weights are broadcast first). AdamW
     * hyperparameters as {@link org.bigmodels.optim.Adam#adamW(List, double, double, double, double, double)}: weight
     * decay on parameters of rank &ge; 2 only ({@link ParamGroup#decayMatricesOnly}).
     *
     * @param units the layers whose parameters stage 3 gathers one at a time (e.g. a GPT's {@code blocks()}); ignored
     *              by stages 1 and 2; each must be a {@link Layer} and a sub-module of {@code model}
     * @throws IllegalArgumentException for stage NONE, a bad hyperparameter (including a non-finite lr, eps or weight
     *                                  decay), a unit that is not part of the model
     * @throws IllegalStateException    if the model already has a ZeroDataParallel that was not closed (its gradient
     *                                  hooks would still fire and corrupt this one's update)
     */
    public ZeroDataParallel(Communicator comm, Module model, ZeroStage stage, List<? extends Module> units,
                            double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(comm, notYetWrapped(model));
        this.model = model;
        if (stage == null || stage == ZeroStage.NONE) {
            throw new IllegalArgumentException("ZeroDataParallel: expected stage ONE, TWO or THREE, got " + stage
                    + "; for plain data parallelism use DataParallelTrainer.naive() or bucketed()");
        }
        this.stage = stage;
        this.w = comm.worldSize();
        this.r = comm.rank();
        int n = parameters.size();
        bounds = new long[n][];
        shards = new AdamWShard[n];
        gradShard = new INDArray[n];
        paramShard = new INDArray[n];
        reducedThisStep = new boolean[n];
        List<ParamGroup> groups = ParamGroup.decayMatricesOnly(parameters, weightDecay);
        Map<Tensor, Double> decay = new IdentityHashMap<>();
        for (ParamGroup g : groups) for (Tensor p : g.params()) decay.put(p, g.weightDecay());
        long largest = 1;
        for (int i = 0; i < n; i++) {
            Tensor p = parameters.get(i);
            long len = p.value().length();
            largest = Math.max(largest, len);
            bounds[i] = Chunks.bounds(len, w);
            shards[i] = new AdamWShard(lr, beta1, beta2, eps, decay.get(p));
            if (stage != ZeroStage.ONE) gradShard[i] = Nd4j.zeros(p.dataType(), sliceLength(i));
        }
        work = Nd4j.create(parameters.get(0).dataType(), largest);
        if (stage != ZeroStage.ONE) {
            for (Tensor p : parameters) removeHooks.add(p.onGradReady(this::reduceToOwner));
        }
        if (stage == ZeroStage.THREE) shardParameters(units == null ? List.of() : units);
        this.optimizer = new ZeroOptimizer(lr);
        BY_MODEL.put(model, this);
    }

    /** One open instance per model: refuses a model whose previous ZeroDataParallel is still open. */
    private static Module notYetWrapped(Module model) {
        ZeroDataParallel old = model == null ? null : BY_MODEL.get(model);
        if (old != null) {
            throw new IllegalStateException("ZeroDataParallel: expected a model with no open ZeroDataParallel, got one "
                    + "that already has one (stage " + old.stage + ", rank " + old.r + " of " + old.w + "); its gradient "
                    + "hooks would still fire and corrupt this one's update. Call close() on the first one (on every "
                    + "rank) before building another on the same model");
        }
        return model;
    }

    /**
     * The strategy for {@link DataParallelTrainer} (use it with {@link #optimizerFactory()}): each rank builds a
     * ZeroDataParallel at {@code stage}, with {@code units.apply(model)} as the stage-3 units (e.g.
     * {@code m -> ((GPT) m).blocks()}; may return an empty list for stages 1 and 2).
     */
    public static DataParallelTrainer.Strategy strategy(ZeroStage stage,
                                                        Function<Module, List<? extends Module>> units, double lr,
                                                        double beta1, double beta2, double eps, double weightDecay) {
        return (c, m) -> new ZeroDataParallel(c, m, stage, units.apply(m), lr, beta1, beta2, eps, weightDecay);
    }

    /** The optimizer factory that goes with {@link #strategy}: each replica's {@link #optimizer()}. */
    public static <M extends Module> BiFunction<M, DataParallel, Optimizer> optimizerFactory() {
        return (m, ddp) -> {
            if (!(ddp instanceof ZeroDataParallel z)) {
                throw new IllegalArgumentException("ZeroDataParallel.optimizerFactory: expected the strategy of "
                        + "ZeroDataParallel.strategy(...), got " + ddp.getClass().getSimpleName());
            }
            return z.optimizer();
        };
    }

    /** The stage. */
    public ZeroStage stage() {
        return stage;
    }

    /** The optimizer of this replica: AdamW on rank r's slices (give it to the Trainer). */
    public Optimizer optimizer() {
        return optimizer;
    }

    private long sliceLength(int i) {
        return bounds[i][r + 1] - bounds[i][r];
    }

    // ------------------------------------------------------------------ stage 3: parameters as slices

    private void shardParameters(List<? extends Module> unitModules) {
        Set<Tensor> inUnits = Collections.newSetFromMap(new IdentityHashMap<>());
        long unitMax = 0;
        for (Module u : unitModules) {
            if (!(u instanceof Layer layer)) {
                throw new IllegalArgumentException("ZeroDataParallel: a stage-3 unit must be a Layer (one input, one "
                        + "output), got " + u.getClass().getSimpleName());
            }
            List<Tensor> ps = u.parameters();
            long size = 0;
            for (Tensor p : ps) {
                if (indexOf(p) < 0) {
                    throw new IllegalArgumentException("ZeroDataParallel: a unit's parameter (" + p.name() + ") is "
                            + "not a parameter of the model; give sub-modules of the model as units");
                }
                inUnits.add(p);
                size += p.value().length();
            }
            unitMax = Math.max(unitMax, size);
            units.add(ps);
            unitParameters.put(u, ps);
            checkpoints.put(u, new ActivationCheckpoint(layer, () -> gather(ps)));
        }
        for (Tensor p : parameters) if (!inUnits.contains(p)) resident.add(p);
        DataType type = parameters.get(0).dataType();
        unitBuffer = Nd4j.create(type, Math.max(1, unitMax));
        residentBuffer = Nd4j.create(type, Math.max(1, resident.stream().mapToLong(p -> p.value().length()).sum()));
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            INDArray flat = p.value().dup('c').reshape('c', new long[] {p.value().length()});
            paramShard[i] = Chunks.chunk(flat, bounds[i], r).dup('c');   // rank r keeps slice r only
        }
        bind(resident, residentBuffer);
        for (List<Tensor> u : units) bind(u, unitBuffer);      // every unit's parameters now live in the shared buffer
    }

    /** Points each parameter of {@code ps} at its place in {@code buffer} (the full arrays are dropped). */
    private static void bind(List<Tensor> ps, INDArray buffer) {
        long offset = 0;
        for (Tensor p : ps) {
            long len = p.value().length();
            p.setValue(Chunks.view(buffer, offset, offset + len).reshape('c', p.shape()));
            offset += len;
        }
    }

    /** All-gathers the parameters of {@code ps} into their (shared) buffer: a collective. */
    private void gather(List<Tensor> ps) {
        if (ps == resident) residentCurrent = true;
        long start = System.nanoTime();
        for (Tensor p : ps) {
            int i = indexOf(p);
            long len = p.value().length();
            INDArray buf = Chunks.view(work, 0, len);
            INDArray flat = len == work.length() ? work : buf.dup('c');
            if (sliceLength(i) > 0) Chunks.chunk(flat, bounds[i], r).assign(paramShard[i]);
            comm.allGather(flat);
            p.value().assign(flat.reshape('c', p.shape()));
        }
        record(WorkerEvent.COMMUNICATION, "AG", start, System.nanoTime());
    }

    /**
     * Runs {@code unit} on {@code x}: stage 3 gathers its parameters first and runs it as an activation checkpoint
     * (gathered again in backward); stages 1 and 2 just run it.
     *
     * @throws IllegalArgumentException if stage 3 was not given this unit
     */
    public Tensor forward(Module unit, Tensor x) {
        if (stage != ZeroStage.THREE) return ((Layer) unit).forward(x);
        ActivationCheckpoint c = checkpoints.get(unit);
        if (c == null) {
            throw new IllegalArgumentException("ZeroDataParallel.forward: " + unit.getClass().getSimpleName() + " is "
                    + "not one of the units given at construction");
        }
        gather(unitParameters.get(unit));
        return c.forward(x);
    }

    /**
     * The mean next-token loss of a {@link GPT} ({@link GPT#loss}, written out so that stage 3 can gather each block
     * just before it runs; for stages 1 and 2 the same as {@code model.loss}). The GPT's blocks must be the units.
     *
     * <p>Stage 3 gathers the resident parameters (embeddings, final norm, head) again if a step has changed them since
     * they were last gathered, so the loss always uses the current weights. After {@link #close()} it is
     * {@code model.loss}.
     *
     * @throws IllegalArgumentException for a GPT with dropout under stage 3
     */
    public Tensor gptLoss(GPT model, INDArray ids, INDArray targets) {
        if (stage != ZeroStage.THREE || closed) return model.loss(ids, targets);
        if (!residentCurrent) gather(resident);
        return ActivationCheckpoint.gptLoss(model, ids, targets, b -> x -> forward(b, x));
    }

    /**
     * {@link #gptLoss} of the ZeroDataParallel built on {@code model} (for the loss function of
     * {@link DataParallelTrainer}, which sees the model only), or {@code model.loss} when there is none.
     */
    public static Tensor lossOf(GPT model, INDArray ids, INDArray targets) {
        ZeroDataParallel z = BY_MODEL.get(model);
        return z == null ? model.loss(ids, targets) : z.gptLoss(model, ids, targets);
    }

    // ------------------------------------------------------------------ gradients

    @Override
    protected void prepare() {
        java.util.Arrays.fill(reducedThisStep, false);
        if (stage == ZeroStage.THREE) gather(resident);
    }

    /** Stage 2 and 3 hook: reduce-scatter p's final gradient, keep the mean of slice r, free the full gradient. */
    private void reduceToOwner(Tensor p) {
        int i = indexOf(p);
        long start = System.nanoTime();
        reduceScatterInto(i, p.grad());
        reducedThisStep[i] = true;
        p.zeroGrad();                                          // the full gradient is not kept
        record(WorkerEvent.COMMUNICATION, "RS " + i, start, System.nanoTime());
    }

    /** Adds the mean over the ranks of slice r of {@code grad} (null = zeros) to the gradient shard of parameter i. */
    private void reduceScatterInto(int i, INDArray grad) {
        long len = parameters.get(i).value().length();
        INDArray flat = len == work.length() ? work : Chunks.view(work, 0, len).dup('c');
        if (grad == null) flat.assign(0);
        else flat.assign(grad.reshape('c', new long[] {len}));
        comm.reduceScatter(flat);
        if (sliceLength(i) > 0) gradShard[i].addi(Chunks.chunk(flat, bounds[i], r).div(w));
    }

    /** After backward: stages 2 and 3 reduce the parameters whose hook did not fire (unused: zero gradient). */
    @Override
    protected void reduce() {
        if (stage == ZeroStage.ONE) return;                    // stage 1 reduces in step()
        for (int i = 0; i < parameters.size(); i++) {
            if (!reducedThisStep[i]) reduceScatterInto(i, null);
        }
    }

    /**
     * Removes the gradient hooks and forgets the model (a new ZeroDataParallel may then be built on it). Stage 3:
     * also a collective: every parameter is all-gathered from the slices into a fresh array of its own, so that the
     * model afterwards holds independent, current weights ({@code model.loss} is then right; before close, the blocks
     * of a stage-3 model share one working buffer and only {@link #gptLoss} is). Closing twice does nothing.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        removeHooks.forEach(Runnable::run);
        removeHooks.clear();
        BY_MODEL.remove(model, this);
        if (stage == ZeroStage.THREE) {
            List<INDArray> full = fullParameters();
            for (int i = 0; i < parameters.size(); i++) parameters.get(i).setValue(full.get(i));
        }
    }

    // ------------------------------------------------------------------ memory

    /**
     * What this rank holds now, measured: parameter arrays (for stage 3 the slices plus the gathered working buffers),
     * gradient arrays (full gradients still held, plus the gradient shards), the {@link AdamWShard}s' state, and the
     * activations of {@code loss}'s graph (null: 0). The shared work buffer (one parameter's length) is not counted.
     */
    public MemoryAccount memory(Tensor loss) {
        List<INDArray> ps = new ArrayList<>(), gs = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            if (stage == ZeroStage.THREE) ps.add(paramShard[i]);
            else ps.add(p.value());
            if (p.grad() != null) gs.add(p.grad());
            if (gradShard[i] != null) gs.add(gradShard[i]);
        }
        if (stage == ZeroStage.THREE) {
            ps.add(unitBuffer);
            ps.add(residentBuffer);
        }
        long state = 0;
        for (AdamWShard s : shards) state += s.stateBytes();
        return new MemoryAccount(MemoryAccount.bytes(ps), MemoryAccount.bytes(gs), state,
                loss == null ? 0 : MemoryAccount.activationBytes(loss));
    }

    /** Stage 3: bytes of the gathered working buffers (the largest unit and the resident parameters); else 0. */
    public long workingSetBytes() {
        return stage == ZeroStage.THREE ? MemoryAccount.bytes(List.of(unitBuffer, residentBuffer)) : 0;
    }

    /**
     * Every parameter's full value, as new arrays in the model's order: a collective (stage 3 all-gathers the slices;
     * stages 1 and 2 copy the replica's values). For checking and saving.
     */
    public List<INDArray> fullParameters() {
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            if (stage != ZeroStage.THREE) {
                out.add(p.value().dup('c'));
                continue;
            }
            INDArray flat = Nd4j.create(p.dataType(), p.value().length());
            if (sliceLength(i) > 0) Chunks.chunk(flat, bounds[i], r).assign(paramShard[i]);
            comm.allGather(flat);
            out.add(flat.reshape('c', p.shape()));
        }
        return out;
    }

    // ------------------------------------------------------------------ the optimizer

    /** AdamW on this rank's slices; the update of stage 1 reduce-scatters first, stages 1 and 2 all-gather after. */
    private final class ZeroOptimizer implements Optimizer {
        private double lr;

        ZeroOptimizer(double lr) {
            this.lr = lr;
        }

        @Override
        public void step() {
            if (closed) {
                throw new IllegalStateException("ZeroDataParallel: step() after close(); build a new ZeroDataParallel "
                        + "(or a plain optimizer) to train on");
            }
            residentCurrent = false;                             // stage 3: the slices change, the buffers are stale
            for (int i = 0; i < parameters.size(); i++) {
                Tensor p = parameters.get(i);
                long len = p.value().length();
                INDArray g;
                if (stage == ZeroStage.ONE) {
                    INDArray flat = len == work.length() ? work : Chunks.view(work, 0, len).dup('c');
                    if (p.grad() == null) flat.assign(0);
                    else flat.assign(p.grad().reshape('c', new long[] {len}));
                    comm.reduceScatter(flat);
                    g = sliceLength(i) > 0 ? Chunks.chunk(flat, bounds[i], r).div(w) : null;   // empty: no div
                } else {
                    g = gradShard[i];
                }
                if (stage == ZeroStage.THREE) {
                    if (sliceLength(i) > 0) shards[i].updateSlice(paramShard[i], g);
                    continue;                                    // gathered again when next used
                }
                INDArray full = p.value().dup('c').reshape('c', new long[] {len});
                INDArray mine = Chunks.chunk(full, bounds[i], r);
                if (mine.length() > 0) mine.assign(shards[i].updateSlice(mine.dup('c'), g));
                comm.allGather(full);
                p.value().assign(full.reshape('c', p.shape()));
            }
        }

        @Override
        public void zeroGrad() {
            for (int i = 0; i < parameters.size(); i++) {
                parameters.get(i).zeroGrad();
                if (gradShard[i] != null) gradShard[i].assign(0);
            }
        }

        @Override
        public List<Tensor> parameters() {
            return parameters;
        }

        @Override
        public double learningRate() {
            return lr;
        }

        /** Changing the rate is not supported (the shards hold it): use a constant rate with ZeRO here. */
        @Override
        public void setLearningRate(double lr) {
            if (lr != this.lr) {
                throw new UnsupportedOperationException("ZeroDataParallel: the learning rate is fixed at " + this.lr
                        + " (got " + lr + "); learning-rate schedules are not supported with this ZeRO optimizer");
            }
        }
    }
}
