package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.prune.MagnitudePruning;
import org.bigmodels.prune.PruningMasks;
import org.bigmodels.prune.SparseMLP;
import org.bigmodels.train.Stats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sparse vs dense inference of LeNet-300-100 pruned by magnitude (layer-wise, every weight matrix at the same
 * sparsity): per sparsity and batch size (1 and 64), the median time of a forward pass of the dense engine model
 * (ND4J's BLAS matrix multiply over all the weights, zeros included) and of {@link SparseMLP} (a plain-Java CSR
 * kernel over the kept weights only), measured alternately in one run, their ratio, the storage in bytes, and the
 * crossover: the lowest sparsity from which the sparse pass is faster. The usual finding: a tuned dense kernel wins
 * until most weights are gone, so unstructured pruning pays in size long before it pays in speed.
 * Runs with one BLAS thread (launch with {@code OMP_NUM_THREADS=1}), so neither side gets more cores than the other.
 */
public final class SparseInferenceBenchmark {
    private SparseInferenceBenchmark() {}

    /** One measurement: sparsity, batch, median dense and sparse time per pass (ns), dense and CSR bytes. */
    public record Row(double sparsity, int batch, double denseNanos, double sparseNanos, long denseBytes, long sparseBytes) {
        /** dense time / sparse time (&gt; 1: sparse is faster). */
        public double speedup() {
            return denseNanos / sparseNanos;
        }
    }

    /**
     * Measures every (sparsity, batch) pair: {@code repeats} alternated timings of each variant, each timing the mean
     * of enough passes to last about {@code minNanos}, after a warm-up; medians reported.
     */
    public static List<Row> measure(double[] sparsities, int[] batches, int repeats, long minNanos) {
        List<Row> rows = new ArrayList<>();
        for (double s : sparsities) {
            MLP m = MLP.of(784, 300, 100, 10);
            new PruningMasks(m, MagnitudePruning.layerwise(m, MagnitudePruning.weightNames(m), s)).apply();
            SparseMLP sparse = new SparseMLP(m);
            for (int b : batches) {
                INDArray x = Nd4j.rand(DataType.FLOAT, b, 784);
                Runnable dense = () -> {
                    try (var off = Tensor.noGrad()) {
                        m.forward(x).value();
                    }
                };
                Runnable sp = () -> sparse.forward(x);
                time(dense, minNanos);
                time(sp, minNanos); // warm-up
                double[] d = new double[repeats], q = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    d[r] = time(dense, minNanos);
                    q[r] = time(sp, minNanos);
                }
                rows.add(new Row(s, b, Stats.median(d), Stats.median(q), m.parameterBytes(), sparse.bytes()));
            }
        }
        return rows;
    }

    /** Mean nanoseconds per run of {@code task}, over as many runs as fit in about minNanos (at least 3). */
    static double time(Runnable task, long minNanos) {
        int n = 0;
        long start = System.nanoTime(), now;
        do {
            task.run();
            n++;
            now = System.nanoTime();
        } while (now - start < minNanos || n < 3);
        return (now - start) / (double) n;
    }

    /** The lowest sparsity of {@code rows} at batch {@code batch} from which sparse is faster at every higher one; NaN if never. */
    public static double crossover(List<Row> rows, int batch) {
        double cross = Double.NaN;
        List<Row> r = rows.stream().filter(x -> x.batch() == batch).toList();
        for (int i = r.size() - 1; i >= 0 && r.get(i).speedup() > 1; i--) cross = r.get(i).sparsity();
        return cross;
    }

    public static void main(String[] args) {
        double[] sparsities = {0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99};
        int[] batches = {1, 64};
        LeNetBenchmark.setThreads(1); // dense BLAS and the CSR loop both on one core, side by side
        List<Row> rows = measure(sparsities, batches, 7, 50_000_000L);
        System.out.printf("%-9s %5s %12s %12s %9s %12s %12s%n", "sparsity", "batch", "dense us", "sparse us", "speedup",
                "dense B", "CSR+bias B");
        for (Row r : rows) {
            System.out.printf("%-9.2f %5d %12.1f %12.1f %8.2fx %12d %12d%n", r.sparsity(), r.batch(), r.denseNanos() / 1e3,
                    r.sparseNanos() / 1e3, r.speedup(), r.denseBytes(), r.sparseBytes());
        }
        for (int b : batches) {
            double c = crossover(rows, b);
            System.out.println("batch " + b + ": sparse (CSR) faster than dense from sparsity "
                    + (Double.isNaN(c) ? "never (up to " + sparsities[sparsities.length - 1] + ")" : String.valueOf(c))
                    + "; sparsities tried " + Arrays.toString(sparsities));
        }
    }
}
