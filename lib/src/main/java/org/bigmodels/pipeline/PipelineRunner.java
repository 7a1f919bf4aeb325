package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.optim.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Executes a {@link PipelineSchedule} on p workers: worker d holds its parts of a {@link StagedModel}, runs its list
 * of passes in order, receives each forward's input from the previous part's worker and each backward's gradient
 * from the next part's worker, and sends its own on. One {@link #step} = the batch split into m equal micro-batches,
 * every pass of the schedule, then (with an optimizer) one update per worker: the "flush" of GPipe and 1F1B, so the
 * result equals one step of the unsplit model on the whole batch.
 *
 * <p>Loss scaling: each micro-batch's mean loss is multiplied by 1/m before its backward, so the gradients summed over
 * micro-batches are those of the batch's mean loss. Micro-batches must therefore be equal: a batch that m does not
 * divide is refused (choose m among the batch's divisors, or drop or pad examples).
 *
 * <p>Messages: one per activation or gradient, a small header (kind, part, micro-batch, shape) followed by the flat
 * data in the same array (one hand-off, one wake-up of the peer); a worker that receives a
 * message other than the one it awaits keeps it for later, so any valid schedule runs whatever the order its peer
 * sent in. Every receive waits at most the communicator's time-out (a {@code CommunicationException} names the
 * peer), and a whole threaded step at most {@link #timeoutMillis(long)}.
 *
 * <p>Recorded per worker: forward, backward, send and receive intervals ({@link StageEvent}: wall-clock bounds and
 * the worker thread's CPU time), and the bytes of
 * activations held between a micro-batch's forward and its backward (their peak is the memory a schedule costs).
 */
public final class PipelineRunner {
    private static final int ACTIVATION = 0, GRADIENT = 1;

    private final StagedModel model;
    private final PipelineSchedule schedule;
    private final int stages;
    private final int[] boundaries;
    private final Optimizer[] optimizers;
    private Function<List<Tensor>, Optimizer> optimizerFactory;
    private long timeoutMillis = 60_000;

    /**
     * Splits {@code model} into p·v parts of (nearly) equal unit counts ({@link CountPartitioner}).
     *
     * @throws IllegalArgumentException when p < 1 or p·v exceeds the model's units (more stages than layers)
     */
    public PipelineRunner(StagedModel model, int stages, PipelineSchedule schedule) {
        this(model, cutsByCount(model, stages, schedule), schedule);
    }

    /**
     * @param boundaries p·v+1 cut points into the model's units (v = schedule.chunks()); part k = units
     *                   [boundaries[k], boundaries[k+1]) runs on worker k mod p
     * @throws IllegalArgumentException when the cut points are not increasing from 0 to the unit count, or their
     *                                  number is not a multiple of v plus one
     */
    public PipelineRunner(StagedModel model, int[] boundaries, PipelineSchedule schedule) {
        if (model == null || schedule == null || boundaries == null) {
            throw new IllegalArgumentException("PipelineRunner: expected a model, cut points and a schedule, got null");
        }
        int parts = boundaries.length - 1;
        if (parts < 1 || parts % schedule.chunks() != 0) {
            throw new IllegalArgumentException("PipelineRunner: " + schedule.name() + " needs p·" + schedule.chunks()
                    + " parts, got " + parts + " from " + boundaries.length + " cut points");
        }
        model.checkBoundaries(boundaries, parts);
        this.model = model;
        this.schedule = schedule;
        this.boundaries = boundaries.clone();
        this.stages = parts / schedule.chunks();
        this.optimizers = new Optimizer[stages];
    }

    private static int[] cutsByCount(StagedModel model, int stages, PipelineSchedule schedule) {
        if (stages < 1) throw new IllegalArgumentException("PipelineRunner: expected at least 1 stage, got " + stages);
        int parts = stages * schedule.chunks();
        if (parts > model.size()) {
            throw new IllegalArgumentException("PipelineRunner: cannot split a model of " + model.size() + " units into "
                    + stages + " stages" + (schedule.chunks() > 1 ? " × " + schedule.chunks() + " chunks" : "")
                    + " (more stages than layers); use at most " + model.size() / schedule.chunks() + " stages");
        }
        return new CountPartitioner().partition(new double[model.size()], parts);
    }

    /**
     * Each worker updates its own parameters after every step with an optimizer made by {@code factory} from them
     * (made at the first step, kept after). Without one, {@link #step} leaves the gradients for inspection.
     */
    public PipelineRunner optimizer(Function<List<Tensor>, Optimizer> factory) {
        this.optimizerFactory = factory;
        return this;
    }

    /** The longest a threaded {@link #step} may take, ms (default 60 000). */
    public PipelineRunner timeoutMillis(long millis) {
        if (millis <= 0) throw new IllegalArgumentException("PipelineRunner: expected a time-out > 0 ms, got " + millis);
        this.timeoutMillis = millis;
        return this;
    }

    /** The number of workers p. */
    public int stages() {
        return stages;
    }

    /** The cut points (a copy). */
    public int[] boundaries() {
        return boundaries.clone();
    }

    /** The schedule executed. */
    public PipelineSchedule schedule() {
        return schedule;
    }

    /**
     * One training step on p worker threads over a {@link ThreadCommunicator} group.
     *
     * @param inputs       [B, ...] (ids [B, T] for a GPT, features [B, in] for an MLP)
     * @param targets      [B, ...] class ids
     * @param microBatches m >= 1 dividing B
     * @throws IllegalArgumentException when m < 1, m > B, or m does not divide B
     */
    public PipelineResult step(INDArray inputs, INDArray targets, int microBatches) {
        checkBatch(inputs, targets, microBatches);
        List<StageReport> reports = ThreadCommunicator.run(stages, timeoutMillis,
                comm -> runStage(comm, inputs, targets, microBatches));
        List<StageEvent> events = new ArrayList<>();
        long[] peakBytes = new long[stages];
        int[] peak = new int[stages];
        double loss = 0;
        for (StageReport r : reports) {
            events.addAll(r.events());
            peakBytes[r.stage()] = r.peakActivationBytes();
            peak[r.stage()] = r.peakInFlight();
            loss += r.loss();
        }
        return new PipelineResult(loss, Collections.unmodifiableList(events), peakBytes, peak);
    }

    /** What one worker measured in one step; {@code loss} is 0 except on the worker holding the last part. */
    public record StageReport(int stage, double loss, List<StageEvent> events, long peakActivationBytes,
                              int peakInFlight) {}

    private record Key(int kind, int part, int mb) {}

    /** The activations of one forwarded (micro-batch, part), kept until its backward. */
    private record Stash(Tensor input, Tensor output, long bytes) {}

    /**
     * Runs this worker's share of one step on any {@link Communicator} (threads or sockets): rank d runs stage d.
     * Every rank must call it with the same arguments (ranks other than 0 only read the inputs' shape, and only the
     * last stage's rank reads the targets).
     *
     * @throws IllegalArgumentException when the communicator's size is not p, or the batch is not divisible
     */
    public StageReport runStage(Communicator comm, INDArray inputs, INDArray targets, int microBatches) {
        if (comm.worldSize() != stages) {
            throw new IllegalArgumentException("PipelineRunner: built for " + stages + " stages, got a communicator "
                    + "of " + comm.worldSize() + " workers");
        }
        checkBatch(inputs, targets, microBatches);
        int d = comm.rank(), p = stages, m = microBatches, parts = boundaries.length - 1;
        long size = inputs.size(0) / m;
        List<PipelineOp> ops = schedule.ops(p, m).get(d);
        List<Tensor> myParams = new ArrayList<>();
        for (int k = d; k < parts; k += p) myParams.addAll(model.parameters(boundaries[k], boundaries[k + 1]));
        Set<Tensor> paramSet = Collections.newSetFromMap(new IdentityHashMap<>());
        paramSet.addAll(myParams);
        myParams.forEach(Tensor::zeroGrad);

        List<StageEvent> events = new ArrayList<>();
        Map<Key, INDArray> pending = new HashMap<>();
        Map<Key, Stash> stash = new HashMap<>();
        long held = 0, peakBytes = 0;
        int inFlight = 0, peak = 0;
        double loss = 0;
        // Start together: the recorded timeline (and so the bubble) begins when every stage is ready, not when the
        // first worker thread or process happens to be scheduled.
        if (p > 1) comm.barrier();
        for (PipelineOp op : ops) {
            int part = op.chunk() * p + d, mb = op.microBatch();
            if (part >= parts) {
                throw new IllegalStateException("PipelineRunner: " + schedule.name() + " lists " + op + " on stage "
                        + d + " but there are only " + parts + " parts");
            }
            if (op.isForward()) {
                Tensor in;
                if (part == 0) {
                    in = Tensor.of(slice(inputs, mb, size));
                } else {
                    long t0 = System.nanoTime(), c0 = StageEvent.threadCpuNanos();
                    INDArray a = receive(comm, (part - 1) % p, new Key(ACTIVATION, part, mb), pending);
                    events.add(event(d, StageEvent.Type.RECEIVE, op, t0, c0));
                    in = new Tensor(a, true);
                }
                long t0 = System.nanoTime(), c0 = StageEvent.threadCpuNanos();
                Tensor out = model.forward(boundaries[part], boundaries[part + 1], in);
                if (part == parts - 1) {
                    out = model.loss(out, slice(targets, mb, size)).mul(1.0 / m);
                    loss += out.item();
                }
                long bytes = activationBytes(out, paramSet);
                events.add(event(d, StageEvent.Type.FORWARD, op, t0, c0));
                stash.put(new Key(ACTIVATION, part, mb), new Stash(in, out, bytes));
                held += bytes;
                peakBytes = Math.max(peakBytes, held);
                peak = Math.max(peak, ++inFlight);
                if (part < parts - 1) send(comm, (part + 1) % p, new Key(ACTIVATION, part + 1, mb), out.value(),
                        pending, events, op);
            } else {
                Stash s = stash.remove(new Key(ACTIVATION, part, mb));
                if (s == null) {
                    throw new IllegalStateException("PipelineRunner: " + schedule.name() + " runs " + op + " on stage "
                            + d + " before its forward; a backward needs the forward's activations");
                }
                INDArray g = null;
                if (part < parts - 1) {
                    long t0 = System.nanoTime(), c0 = StageEvent.threadCpuNanos();
                    g = receive(comm, (part + 1) % p, new Key(GRADIENT, part, mb), pending);
                    events.add(event(d, StageEvent.Type.RECEIVE, op, t0, c0));
                }
                long t0 = System.nanoTime(), c0 = StageEvent.threadCpuNanos();
                if (g == null) s.output().backward();
                else s.output().backward(g);
                events.add(event(d, StageEvent.Type.BACKWARD, op, t0, c0));
                held -= s.bytes();
                inFlight--;
                if (part > 0) send(comm, (part - 1) % p, new Key(GRADIENT, part - 1, mb), s.input().grad(), pending,
                        events, op);
            }
        }
        if (!stash.isEmpty()) {
            throw new IllegalStateException("PipelineRunner: " + schedule.name() + " left " + stash.size()
                    + " forwarded micro-batches without a backward on stage " + d);
        }
        if (optimizerFactory != null) {
            if (optimizers[d] == null) optimizers[d] = optimizerFactory.apply(myParams);
            optimizers[d].step();
        }
        return new StageReport(d, loss, events, peakBytes, peak);
    }

    /** Bytes of the arrays in {@code out}'s graph that are not parameters: what this micro-batch holds until backward. */
    private static long activationBytes(Tensor out, Set<Tensor> params) {
        long bytes = 0;
        for (Tensor t : out.topologicalOrder()) {
            if (!params.contains(t)) bytes += t.value().length() * t.value().dataType().width();
        }
        return bytes;
    }

    private void send(Communicator comm, int dst, Key key, INDArray value, Map<Key, INDArray> pending,
                      List<StageEvent> events, PipelineOp op) {
        if (value == null) {
            throw new IllegalStateException("PipelineRunner: no gradient reached the input of part " + (key.part() + 1)
                    + " for " + op + "; does that part's output depend on its input?");
        }
        if (dst == comm.rank()) {           // one worker holding consecutive parts (p = 1 with chunks)
            pending.put(key, value.dup('c'));
            return;
        }
        long t0 = System.nanoTime(), c0 = StageEvent.threadCpuNanos();
        comm.send(pack(key, value), dst);
        events.add(event(comm.rank(), StageEvent.Type.SEND, op, t0, c0));
    }

    /** The interval from ({@code t0} wall, {@code c0} thread CPU) to now. */
    private static StageEvent event(int stage, StageEvent.Type type, PipelineOp op, long t0, long c0) {
        long c1 = StageEvent.threadCpuNanos();
        return new StageEvent(stage, type, op.toString(), t0, System.nanoTime(), StageEvent.cpuBetween(c0, c1));
    }

    /**
     * One message per hand-off: [kind, part, micro-batch, rank, shape..., data...] in the value's data type (the
     * header's small integers are exact in float), so the peer wakes once per activation or gradient, not twice.
     */
    private static INDArray pack(Key key, INDArray value) {
        long[] shape = value.shape();
        int h = 4 + shape.length;
        long n = value.length();
        INDArray msg = Nd4j.create(value.dataType(), h + n);
        msg.putScalar(0, key.kind());
        msg.putScalar(1, key.part());
        msg.putScalar(2, key.mb());
        msg.putScalar(3, shape.length);
        for (int i = 0; i < shape.length; i++) msg.putScalar(4 + i, shape[i]);
        msg.get(NDArrayIndex.interval(h, h + n)).assign(value.reshape('c', new long[]{n}));
        return msg;
    }

    private static INDArray receive(Communicator comm, int src, Key want, Map<Key, INDArray> pending) {
        while (!pending.containsKey(want)) {
            if (src == comm.rank()) {
                throw new IllegalStateException("PipelineRunner: stage " + src + " awaits its own " + want
                        + " that it has not produced yet; the schedule's order is invalid");
            }
            INDArray msg = comm.recv(src);
            int rank = msg.getInt(3), h = 4 + rank;
            long[] shape = new long[rank];
            for (int i = 0; i < rank; i++) shape[i] = msg.getLong(4 + i);
            INDArray data = msg.get(NDArrayIndex.interval(h, msg.length())).dup('c').reshape('c', shape);
            pending.put(new Key(msg.getInt(0), msg.getInt(1), msg.getInt(2)), data);
        }
        return pending.remove(want);
    }

    private static INDArray slice(INDArray a, int mb, long size) {
        INDArray[] idx = new INDArray[0];
        var index = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        index[0] = NDArrayIndex.interval(mb * size, (mb + 1) * size);
        for (int i = 1; i < a.rank(); i++) index[i] = NDArrayIndex.all();
        return a.get(index).dup('c');
    }

    private static void checkBatch(INDArray inputs, INDArray targets, int m) {
        if (inputs == null || targets == null) {
            throw new IllegalArgumentException("PipelineRunner: expected inputs and targets, got null");
        }
        long b = inputs.size(0);
        if (targets.size(0) != b) {
            throw new IllegalArgumentException("PipelineRunner: inputs have " + b + " examples but targets "
                    + targets.size(0));
        }
        if (m < 1) {
            throw new IllegalArgumentException("PipelineRunner: expected at least 1 micro-batch, got " + m);
        }
        if (m > b || b % m != 0) {
            List<Long> divisors = new ArrayList<>();
            for (long k = 1; k <= b; k++) if (b % k == 0) divisors.add(k);
            throw new IllegalArgumentException("PipelineRunner: a batch of " + b + " examples does not split into " + m
                    + " equal micro-batches (equal sizes keep the loss the batch mean); choose m among " + divisors
                    + ", or drop or pad examples to a multiple of " + m);
        }
    }
}
