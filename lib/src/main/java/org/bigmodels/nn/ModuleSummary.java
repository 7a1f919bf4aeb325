package org.bigmodels.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.bigmodels.engine.Tensor;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A model's parameters as a table, one row per parameter in {@link Module#namedParameters()} order, then a totals
 * row: the dotted name, the shape, the number of elements, the element type and the bytes it holds
 * (elements × bytes per element). The same summary as PyTorch's {@code named_parameters()} listing or Keras's
 * {@code model.summary()}, read from the module itself so it cannot drift from the model. Shown in 03-mlp-mnist and
 * 04-tiny-gpt; {@link Module#summary()} is the short form.
 */
public final class ModuleSummary {
    /** The name in the totals row. */
    public static final String TOTAL = "total";

    private ModuleSummary() {}

    /**
     * Columns "parameter" (dotted name), "shape" (e.g. "[784, 300]"), "count" (elements), "dtype" (ND4J's name, e.g.
     * FLOAT), "bytes"; the last row, named {@value #TOTAL}, sums count and bytes (its dtype is the common type, or
     * "mixed"). The title gives the model's class and its totals.
     *
     * @throws NullPointerException if {@code module} is null
     */
    public static Table of(Module module) {
        Map<String, Tensor> params = module.namedParameters();
        StringColumn names = StringColumn.create("parameter");
        StringColumn shapes = StringColumn.create("shape");
        LongColumn counts = LongColumn.create("count");
        StringColumn types = StringColumn.create("dtype");
        LongColumn bytes = LongColumn.create("bytes");
        long totalCount = 0, totalBytes = 0;
        String commonType = null;
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            long n = p.value().length();
            long b = n * p.dataType().width();
            names.append(e.getKey());
            shapes.append(Arrays.toString(p.shape()));
            counts.append(n);
            types.append(p.dataType().name());
            bytes.append(b);
            totalCount += n;
            totalBytes += b;
            String t = p.dataType().name();
            commonType = commonType == null ? t : commonType.equals(t) ? commonType : "mixed";
        }
        names.append(TOTAL);
        shapes.append("");
        counts.append(totalCount);
        types.append(commonType == null ? "" : commonType);
        bytes.append(totalBytes);
        String title = String.format(Locale.ROOT, "%s: %,d parameters, %,d bytes", module.getClass().getSimpleName(),
                totalCount, totalBytes);
        return Table.create(title, names, shapes, counts, types, bytes);
    }
}
