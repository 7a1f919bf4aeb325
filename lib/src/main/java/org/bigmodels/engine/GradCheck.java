package org.bigmodels.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks backward() against central finite differences: for each checked element x_i,
 * {@code numeric = (f(x + h e_i) - f(x - h e_i)) / 2h}, compared with the analytic gradient by the relative error
 * {@code |a - n| / max(|a| + |n|, 1e-12)}, or 0 when {@code |a - n|} is below {@link #ABS_TOLERANCE}. Run in double precision: in float the rounding error of f swamps h.
 *
 * <p>A non-scalar output is reduced to the scalar {@code sum(out * r)} with a fixed random r, so every output
 * element's gradient path is exercised. Shown with its error plotted in 02-backprop-from-scratch; used by every
 * op's test.
 */
public final class GradCheck {
    /**
     * Absolute differences below this count as agreement: with h = 1e-6 in double precision the finite difference
     * itself carries rounding noise of about 1e-16 * |f| / h, i.e. 1e-10 to 1e-9 for the losses tested here. (A key
     * bias in attention, for example, has an exact gradient of 0 that the difference sees as ~1e-10.)
     */
    public static final double ABS_TOLERANCE = 1e-8;

    private GradCheck() {}

    /** One checked element: which input, which flat index, analytic and numeric derivative, relative error. */
    public record Entry(int input, long index, double analytic, double numeric, double relativeError) {}

    /** All checked entries and the worst relative error. */
    public record Result(List<Entry> entries, double maxRelativeError) {
        /** Whether every checked entry's relative error is at most {@code tolerance} (e.g. 1e-6 in double). */
        public boolean passes(double tolerance) {
            return maxRelativeError <= tolerance;
        }
    }

    /** Checks every element of every input (up to {@code maxPerInput} random elements of a larger one). */
    public static Result check(Function<List<Tensor>, Tensor> f, int maxPerInput, double h, INDArray... inputs) {
        for (INDArray in : inputs) {
            if (in.dataType() != DataType.DOUBLE) {
                throw new IllegalArgumentException("GradCheck: expected DOUBLE inputs (float rounding swamps the "
                        + "finite difference), got " + in.dataType() + "; use castTo(DataType.DOUBLE)");
            }
        }
        Random rng = new Random(42);
        List<Tensor> params = new ArrayList<>();
        for (INDArray in : inputs) params.add(Tensor.param(in.dup()));
        Tensor out = f.apply(params);
        INDArray projection = out.value().length() == 1 ? null : Nd4j.rand(DataType.DOUBLE, out.shape()).subi(0.5);
        Tensor loss = projection == null ? out : Ops.sum(Ops.mul(out, Tensor.of(projection)));
        loss.backward();

        List<Entry> entries = new ArrayList<>();
        double worst = 0;
        for (int i = 0; i < inputs.length; i++) {
            INDArray analytic = params.get(i).grad();
            long n = inputs[i].length();
            long[] which = pick(n, maxPerInput, rng);
            for (long idx : which) {
                double a = analytic == null ? 0.0 : analytic.reshape(n).getDouble(idx);
                double plus = scalar(f, projection, inputs, i, idx, h);
                double minus = scalar(f, projection, inputs, i, idx, -h);
                double num = (plus - minus) / (2 * h);
                double rel = Math.abs(a - num) / Math.max(Math.abs(a) + Math.abs(num), 1e-12);
                if (Math.abs(a - num) <= ABS_TOLERANCE) rel = 0; // both (near) zero: within the difference's rounding noise
                entries.add(new Entry(i, idx, a, num, rel));
                worst = Math.max(worst, rel);
            }
        }
        return new Result(entries, worst);
    }

    /** {@link #check(Function, int, double, INDArray...)} with h = 1e-6 and up to 60 elements per input. */
    public static Result check(Function<List<Tensor>, Tensor> f, INDArray... inputs) {
        return check(f, 60, 1e-6, inputs);
    }

    private static double scalar(Function<List<Tensor>, Tensor> f, INDArray projection, INDArray[] inputs,
                                 int which, long idx, double delta) {
        List<Tensor> ts = new ArrayList<>();
        for (int j = 0; j < inputs.length; j++) {
            INDArray v = inputs[j].dup();
            if (j == which) {
                INDArray flat = v.reshape(v.length());
                flat.putScalar(idx, flat.getDouble(idx) + delta);
            }
            ts.add(Tensor.of(v));
        }
        try (var off = Tensor.setGradEnabled(false)) {
            INDArray out = f.apply(ts).value();
            return projection == null ? out.getDouble(0) : out.mul(projection).sumNumber().doubleValue();
        }
    }

    private static long[] pick(long n, int max, Random rng) {
        if (n <= max) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        long[] some = new long[max];
        for (int i = 0; i < max; i++) some[i] = (long) (rng.nextDouble() * n);
        return some;
    }
}
