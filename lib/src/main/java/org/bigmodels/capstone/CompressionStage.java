package org.bigmodels.capstone;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.bigmodels.display.Format;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One stage of a compression pipeline, measured: its test accuracy (fraction in [0, 1]), its size in bytes (the file
 * that stores it, or the closed form of one), and the median latency in milliseconds of a forward pass over the test
 * set by each engine that computes it: dense float32 (ND4J's matrix multiply), sparse (a CSR kernel over the kept
 * weights) and int8 (integer-only inference); {@code NaN} where an engine does not apply to the stage.
 */
public record CompressionStage(String name, double accuracy, long bytes, double denseMs, double sparseMs, double int8Ms) {
    /**
     * @throws IllegalArgumentException if the name is null, the accuracy is outside [0, 1], bytes &lt;= 0, or a latency
     *                                  is neither NaN (not measured) nor finite and &gt;= 0
     */
    public CompressionStage {
        if (name == null) throw new IllegalArgumentException("CompressionStage: expected a stage name, got null");
        for (double t : new double[] {denseMs, sparseMs, int8Ms}) {
            if (!Double.isNaN(t) && !(t >= 0 && t < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("CompressionStage " + name + ": expected latencies in ms that are >= 0 "
                        + "and finite, or NaN where an engine was not measured, got " + denseMs + ", " + sparseMs + ", "
                        + int8Ms + " (dense, sparse, int8)");
            }
        }
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("CompressionStage " + name + ": expected an accuracy in [0, 1] (a fraction, "
                    + "not a percentage), got " + accuracy);
        }
        if (bytes <= 0) throw new IllegalArgumentException("CompressionStage " + name + ": expected bytes > 0, got " + bytes);
    }

    /** The fastest of the measured latencies (ms), NaN if none was measured. */
    public double fastestMs() {
        double m = Double.NaN;
        for (double t : new double[] {denseMs, sparseMs, int8Ms}) if (!Double.isNaN(t) && !(t >= m)) m = t;
        return m;
    }

    /**
     * The capstone table: per stage its accuracy and the accuracy lost against the first stage (percentage points,
     * positive = less accurate, the convention of every "accuracy lost" column in the course), its size
     * and how many times smaller than the first stage it is, each engine's latency and the fastest one's speed-up
     * over the first stage's (&gt; 1: faster).
     *
     * @throws IllegalArgumentException if stages is null or empty, or holds a null
     */
    public static Table table(String title, List<CompressionStage> stages) {
        if (stages == null || stages.isEmpty() || stages.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("CompressionStage.table: expected at least one stage (the first is the "
                    + "reference) and no nulls, got " + stages);
        }
        CompressionStage ref = stages.get(0);
        return Table.create(title).addColumns(
                col("stage", stages, CompressionStage::name),
                num("test accuracy", stages, s -> Format.percent(s.accuracy, 2)),
                num("accuracy lost vs " + ref.name + " (points)", stages, s -> Format.fixed(100 * (ref.accuracy - s.accuracy), 2)),
                num("size", stages, s -> Format.bytes(s.bytes)),
                num("smaller than " + ref.name, stages, s -> Format.sig((double) ref.bytes / s.bytes, 3) + "x"),
                num("dense float32 (ms)", stages, s -> ms(s.denseMs)),
                num("sparse CSR (ms)", stages, s -> ms(s.sparseMs)),
                num("int8 (ms)", stages, s -> ms(s.int8Ms)),
                num("fastest vs " + ref.name, stages, s -> Format.sig(ref.fastestMs() / s.fastestMs(), 3) + "x"));
    }

    private static String ms(double t) {
        return Double.isNaN(t) ? "-" : Format.sig(t, 3);
    }

    private static StringColumn col(String name, List<CompressionStage> stages, java.util.function.Function<CompressionStage, String> f) {
        return StringColumn.create(name, stages.stream().map(f).toList());
    }

    private static StringColumn num(String name, List<CompressionStage> stages, java.util.function.Function<CompressionStage, String> f) {
        return col(name, stages, f);
    }

    /** One column of numbers, e.g. {@code values(stages, CompressionStage::bytes)} for a plot. */
    public static double[] values(List<CompressionStage> stages, ToDoubleFunction<CompressionStage> f) {
        return stages.stream().mapToDouble(f).toArray();
    }
}
