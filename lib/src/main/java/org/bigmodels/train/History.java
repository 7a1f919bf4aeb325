package org.bigmodels.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * What happened during training, one row per logged step: step, epoch, training loss, learning rate, seconds
 * since the start, and any evaluation metrics measured at that step (NaN where none was measured). As a Tablesaw
 * {@link Table} it prints, filters and plots in a notebook.
 */
public final class History {
    private final List<Integer> steps = new ArrayList<>();
    private final List<Integer> epochs = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<Double> lrs = new ArrayList<>();
    private final List<Double> seconds = new ArrayList<>();
    private final Map<String, List<Double>> metrics = new LinkedHashMap<>();

    /** Adds one row; {@code evaluation} may be empty. */
    public void record(int step, int epoch, double loss, double lr, double secondsSinceStart, Map<String, Double> evaluation) {
        int row = steps.size();
        steps.add(step);
        epochs.add(epoch);
        losses.add(loss);
        lrs.add(lr);
        seconds.add(secondsSinceStart);
        for (String k : evaluation.keySet()) {
            metrics.computeIfAbsent(k, n -> {
                List<Double> col = new ArrayList<>();
                for (int i = 0; i < row; i++) col.add(Double.NaN);
                return col;
            });
        }
        for (Map.Entry<String, List<Double>> e : metrics.entrySet()) {
            e.getValue().add(evaluation.getOrDefault(e.getKey(), Double.NaN));
        }
    }

    /** The number of rows (logged steps). */
    public int size() {
        return steps.size();
    }

    /** The step number of each logged row, as doubles (ready for a plot's x axis), a fresh array. */
    public double[] steps() {
        return steps.stream().mapToDouble(Integer::doubleValue).toArray();
    }

    /** The training loss of each logged step (that step's minibatch loss, in the objective's units), a fresh array. */
    public double[] losses() {
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The training loss of the last logged step, or NaN when nothing was logged. */
    public double lastLoss() {
        return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
    }

    /** The values of an evaluation metric, NaN where it was not measured. */
    public double[] metric(String name) {
        List<Double> col = metrics.get(name);
        if (col == null) {
            throw new IllegalArgumentException("History: no metric '" + name + "'; recorded: " + metrics.keySet());
        }
        return col.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The last measured value of a metric. */
    public double last(String name) {
        double[] v = metric(name);
        for (int i = v.length - 1; i >= 0; i--) if (!Double.isNaN(v[i])) return v[i];
        return Double.NaN;
    }

    /** Rows where a metric was measured: {steps, values}. */
    public double[][] measured(String name) {
        double[] v = metric(name), s = steps();
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i])) rows.add(new double[] {s[i], v[i]});
        double[][] out = new double[2][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            out[0][i] = rows.get(i)[0];
            out[1][i] = rows.get(i)[1];
        }
        return out;
    }

    /**
     * The history as a Tablesaw table named "training history": columns step, epoch (int), loss, lr, seconds, then one
     * column per evaluation metric (NaN where not measured), one row per logged step.
     */
    public Table table() {
        Table t = Table.create("training history",
                IntColumn.create("step", steps.stream().mapToInt(Integer::intValue).toArray()),
                IntColumn.create("epoch", epochs.stream().mapToInt(Integer::intValue).toArray()),
                DoubleColumn.create("loss", losses),
                DoubleColumn.create("lr", lrs),
                DoubleColumn.create("seconds", seconds));
        metrics.forEach((k, v) -> t.addColumns(DoubleColumn.create(k, v)));
        return t;
    }

    @Override
    public String toString() {
        return table().toString();
    }
}
