package org.bigmodels.paramserver;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import org.bigmodels.engine.Arena;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.train.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link WorkerGradient} computed by the course engine: one model replica per worker; for each step the pulled
 * parameters are copied into the worker's replica, the loss of the worker's batch for that step is computed and
 * back-propagated, and the replica's gradients are returned as float[P][length_p], in
 * {@link Module#parameters()} order. This is what a parameter-server worker does (Dean et al. 2012, Downpour SGD:
 * "fetch parameters, compute a gradient on a mini-batch, push it").
 *
 * <p>Each replica is used only by its own worker's thread, with its own {@link Arena}; a replica is built on first
 * use, on that thread. {@link #parametersOf} and {@link #load} convert between a module and the server's arrays.
 *
 * <p>Errors: IllegalArgumentException for workers &lt; 1, a worker index out of range, pulled parameters of the
 * wrong count or length (named), or a non-finite gradient (named: a diverged loss must not reach the server).
 *
 * @param <M> the model type (the loss function sees it)
 */
public final class ReplicaGradient<M extends Module> implements WorkerGradient {

    /** The batch worker w uses at its step t; must depend only on (w, t) so that runs repeat. */
    @FunctionalInterface
    public interface BatchSource {
        Batch batch(int worker, int step);
    }

    private final IntFunction<M> factory;
    private final BiFunction<M, Batch, Tensor> loss;
    private final BatchSource batches;
    private final Object[] replicas;
    private final Arena[] arenas;

    /**
     * @param workers N &ge; 1
     * @param factory builds worker w's replica (its initial weights do not matter: they are overwritten by every pull)
     * @param loss the mean loss of a batch for a replica, e.g. {@code (m, b) -> Ops.crossEntropy(m.forward(b.x()), b.y())}
     * @param batches worker w's batch at step t
     */
    public ReplicaGradient(int workers, IntFunction<M> factory, BiFunction<M, Batch, Tensor> loss,
            BatchSource batches) {
        if (workers < 1) throw new IllegalArgumentException("ReplicaGradient: expected workers >= 1, got " + workers);
        if (factory == null || loss == null || batches == null) {
            throw new IllegalArgumentException("ReplicaGradient: factory, loss and batches must not be null");
        }
        this.factory = factory;
        this.loss = loss;
        this.batches = batches;
        this.replicas = new Object[workers];
        this.arenas = new Arena[workers];
    }

    @Override
    public float[][] gradient(int worker, int step, float[][] parameters) {
        if (worker < 0 || worker >= replicas.length) {
            throw new IllegalArgumentException("ReplicaGradient: worker must be in [0, " + replicas.length + "), got "
                    + worker);
        }
        @SuppressWarnings("unchecked")
        M model = (M) replicas[worker];
        if (model == null) {
            model = factory.apply(worker);
            replicas[worker] = model;
            arenas[worker] = new Arena();
        }
        load(model, parameters);
        List<Tensor> params = model.parameters();
        Batch b = batches.batch(worker, step);
        float[][] g = new float[params.size()][];
        try (Arena scope = arenas[worker].open()) {
            model.zeroGrad();
            loss.apply(model, b).backward();
            for (int p = 0; p < g.length; p++) {
                INDArray grad = params.get(p).grad();
                g[p] = grad == null ? new float[(int) params.get(p).value().length()] : grad.dup().data().asFloat();
                for (int i = 0; i < g[p].length; i++) {
                    if (!Float.isFinite(g[p][i])) {
                        throw new IllegalArgumentException("ReplicaGradient: worker " + worker + " step " + step
                                + ": gradient of parameter " + p + "[" + i + "] = " + g[p][i]
                                + " is not finite; lower the learning rate");
                    }
                }
            }
        }
        return g;
    }

    /** The module's parameters as float[P][length_p] (row-major copies, {@link Module#parameters()} order). */
    public static float[][] parametersOf(Module model) {
        List<Tensor> params = model.parameters();
        float[][] out = new float[params.size()][];
        for (int p = 0; p < out.length; p++) out[p] = params.get(p).value().dup('c').data().asFloat();
        return out;
    }

    /**
     * Copies {@code values} (float[P][length_p], row-major) into the module's parameters, keeping their shapes.
     *
     * @throws IllegalArgumentException if the count or a length differs from the module's (named)
     */
    public static void load(Module model, float[][] values) {
        List<Tensor> params = model.parameters();
        if (values == null || values.length != params.size()) {
            throw new IllegalArgumentException("ReplicaGradient.load: expected " + params.size()
                    + " parameter arrays, got " + (values == null ? "null" : values.length));
        }
        for (int p = 0; p < values.length; p++) {
            Tensor t = params.get(p);
            if (values[p] == null || values[p].length != t.value().length()) {
                throw new IllegalArgumentException("ReplicaGradient.load: parameter " + p + " "
                        + Arrays.toString(t.shape()) + " has " + t.value().length() + " elements, got "
                        + (values[p] == null ? "null" : values[p].length));
            }
            t.setValue(Nd4j.createFromArray(values[p]).castTo(t.dataType()).reshape('c', t.shape()));
        }
    }

    /**
     * Batches of {@code batchSize} rows from worker w's shard {@code shards[w]} (indices into x and y): the shard is
     * shuffled once per pass by a Random seeded from (seed, w, pass), and step t takes the t-th block of
     * {@code batchSize} indices of that order (wrapping into the next pass). A shard smaller than the batch is used
     * whole, in a shuffled order, every step.
     *
     * @param x features [n, d]; y class indices [n] (or [n, 1])
     * @throws IllegalArgumentException for batchSize &lt; 1, an empty shard, or an index outside [0, n)
     */
    public static BatchSource shardBatches(INDArray x, INDArray y, int[][] shards, int batchSize, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("shardBatches: batchSize must be >= 1, got " + batchSize);
        long n = x.size(0);
        for (int w = 0; w < shards.length; w++) {
            if (shards[w] == null || shards[w].length == 0) {
                throw new IllegalArgumentException("shardBatches: shard " + w + " is empty; every worker needs data");
            }
            for (int i : shards[w]) {
                if (i < 0 || i >= n) {
                    throw new IllegalArgumentException("shardBatches: shard " + w + " has index " + i + " outside [0, "
                            + n + ")");
                }
            }
        }
        int[][] copy = new int[shards.length][];
        for (int w = 0; w < shards.length; w++) copy[w] = shards[w].clone();
        int d = (int) x.size(1);
        float[] features = x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        INDArray labelsFlat = y.reshape(y.length());
        org.nd4j.linalg.api.buffer.DataType labelType = y.dataType();
        double[] labels = labelsFlat.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        org.nd4j.linalg.api.buffer.DataType featureType = x.dataType();
        return (worker, step) -> {
            int[] shard = copy[worker];
            int size = Math.min(batchSize, shard.length);
            int perPass = shard.length / size;
            int pass = step / perPass;
            int block = step % perPass;
            int[] order = shard.clone();
            Random r = new Random(seed * 1_000_003L + worker * 7919L + pass);
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            float[] bx = new float[size * d];
            double[] by = new double[size];
            for (int i = 0; i < size; i++) {
                int row = order[block * size + i];
                System.arraycopy(features, row * d, bx, i * d, d);
                by[i] = labels[row];
            }
            return new Batch(Nd4j.create(bx, new long[] {size, d}, org.nd4j.linalg.api.buffer.DataType.FLOAT)
                    .castTo(featureType), Nd4j.createFromArray(by).castTo(labelType));
        };
    }
}
