package org.bigmodels.distill;

import java.util.Arrays;
import java.util.function.Function;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Output (logit) distillation, Hinton, Vinyals and Dean 2015, "Distilling the Knowledge in a Neural Network", §2:
 * the student learns the teacher's <em>soft targets</em>, its class probabilities at a temperature T,
 * {@code p_t = softmax(z_t / T)}, and the true labels, in a weighted mix:
 *
 * <pre>
 *   L = alpha · T² · KL(p_t || p_s) + (1 − alpha) · CE(softmax(z_s), y),   p_s = softmax(z_s / T)
 * </pre>
 *
 * averaged over the rows (examples, or tokens of [B, T, V] logits). The soft term uses the Kullback-Leibler
 * divergence {@code Σ p_t (log p_t − log p_s)}: the cross-entropy with the soft targets minus their entropy, a constant
 * for the student, so the same gradient; with KL a student that equals its teacher has loss exactly 0.
 *
 * <p><b>The gradient</b> (derived as in the paper's eq. 2). Write {@code KL = Σ_j p_tj log p_tj − Σ_j p_tj log p_sj}
 * and {@code log p_sj = z_sj/T − log Σ_k exp(z_sk/T)}. Then {@code ∂(log p_sj)/∂z_si = (δ_ij − p_si)/T}, so
 * {@code ∂KL/∂z_si = −Σ_j p_tj (δ_ij − p_si)/T = (p_si − p_ti)/T}, using Σ_j p_tj = 1. Each soft gradient is thus
 * 1/T as large as a hard one, and the soft term's share of the gradient would shrink as 1/T² (the paper's high-T
 * limit: (z_s − z_t)/(N T²) for zero-mean logits); multiplying the soft loss by <b>T²</b> keeps its contribution
 * unchanged when T is changed, so alpha means the same thing at every temperature. Per row the total gradient is
 * {@code alpha · T · (p_s − p_t) + (1 − alpha) · (softmax(z_s) − onehot(y))}, divided by the number of rows.
 *
 * <p><b>Numerics</b>: the log-softmaxes are computed in double after subtracting the row maximum, and a teacher
 * probability that underflows to 0 contributes 0 (the limit of p log p), so teachers whose logits are 1e4 apart
 * give finite losses and gradients.
 *
 * <p>In the course Trainer the loss is simply the {@link Trainer.Objective}: {@link #objective} reads the labels and
 * the cached teacher logits from the batch's targets, packed side by side by {@link #packTargets}, so the Trainer's
 * shuffling keeps each example with its own teacher output and no second training loop is needed. Taught in
 * 16-distillation.
 */
public final class DistillationLoss {
    private final double temperature;
    private final double alpha;

    /**
     * @param temperature T &gt; 0 (1: the ordinary softmax; Hinton et al. used T = 20 for the 2×800 MNIST student)
     * @param alpha       the weight of the soft (teacher) term, in [0, 1]; 1 − alpha weighs the hard-label term
     * @throws IllegalArgumentException when T is not finite and &gt; 0 or alpha is not in [0, 1]
     */
    public DistillationLoss(double temperature, double alpha) {
        if (!(temperature > 0) || !Double.isFinite(temperature * temperature) || !Double.isFinite(1 / temperature)) {
            throw new IllegalArgumentException("DistillationLoss: expected a temperature T > 0 whose T² and 1/T are "
                    + "finite (1 = plain softmax, Hinton et al. used 1-20), got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("DistillationLoss: expected alpha (the weight of the soft loss) in "
                    + "[0, 1], got " + alpha + "; 1 - alpha weighs the hard-label loss");
        }
        this.temperature = temperature;
        this.alpha = alpha;
    }

    /** The temperature T. */
    public double temperature() {
        return temperature;
    }

    /** The weight alpha of the soft term. */
    public double alpha() {
        return alpha;
    }

    /**
     * The mixed loss of student logits [..., C] against teacher logits of the same shape and integer labels of the
     * leading shape [...] (scalar, averaged over the rows).
     *
     * @throws ShapeException when the teacher's shape differs from the student's (another number of classes or
     *     examples) or the labels' shape is not the leading shape
     */
    public Tensor loss(Tensor studentLogits, INDArray teacherLogits, INDArray labels) {
        checkShapes(studentLogits, teacherLogits);
        Tensor hard = Ops.crossEntropy(studentLogits, labels);
        if (alpha == 0) return hard;
        Tensor soft = softLoss(studentLogits, teacherLogits);
        if (alpha == 1) return soft;
        return soft.mul(alpha).add(hard.mul(1 - alpha));
    }

    /**
     * The soft term alone, {@code T² · mean over rows of KL(p_t || p_s)} at this loss's temperature, with the
     * gradient {@code T (p_s − p_t) / rows} for the student logits (the teacher gets none: it is a constant).
     *
     * @throws ShapeException when the shapes differ
     */
    public Tensor softLoss(Tensor studentLogits, INDArray teacherLogits) {
        checkShapes(studentLogits, teacherLogits);
        double t = temperature;
        INDArray z = studentLogits.value();
        int c = (int) z.size(-1);
        int rows = (int) (z.length() / c);
        double[] zs = z.dup('c').data().asDouble();
        double[] zt = teacherLogits.dup('c').data().asDouble();
        requireFinite(zs, "student");
        requireFinite(zt, "teacher");
        double[] logPs = logSoftmaxRows(zs, rows, c, t);
        double[] logPt = logSoftmaxRows(zt, rows, c, t);
        double kl = 0;
        double[] grad = new double[zs.length];
        for (int i = 0; i < zs.length; i++) {
            double pt = Math.exp(logPt[i]);
            if (pt > 0) kl += pt * (logPt[i] - logPs[i]); // p log p -> 0 as p -> 0
            grad[i] = t * (Math.exp(logPs[i]) - pt) / rows; // d(T² KL)/dz_s, mean over rows
        }
        double value = t * t * kl / rows;
        DataType type = z.dataType();
        long[] shape = z.shape();
        return Tensor.fromOp("distillationSoftLoss", Nd4j.scalar(type, value), g -> {
            INDArray d = Nd4j.createFromArray(grad).castTo(type).reshape('c', shape).muli(g.getDouble(0));
            studentLogits.accumulateGrad(d);
        }, studentLogits);
    }

    /**
     * Soft targets: {@code softmax(logits / T)} per row of logits [N, C], in double, computed stably.
     *
     * @throws IllegalArgumentException when T is not finite and &gt; 0, or logits is not a matrix
     */
    public static double[][] softTargets(INDArray logits, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("softTargets: expected a finite temperature T > 0, got " + temperature);
        }
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("softTargets: expected logits [N, C], got " + Arrays.toString(logits.shape()));
        }
        int n = (int) logits.size(0), c = (int) logits.size(1);
        double[] lp = logSoftmaxRows(logits.dup('c').data().asDouble(), n, c, temperature);
        double[][] out = new double[n][c];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) out[i][j] = Math.exp(lp[i * c + j]);
        return out;
    }

    /**
     * The targets of a transfer set: labels [N] and teacher logits [N, C] side by side as [N, 1 + C] (column 0 the
     * label), in the teacher's element type, so the Trainer's shuffling moves each example's teacher output with it.
     *
     * @throws ShapeException when the labels are not [N] for teacher logits [N, C]
     */
    public static INDArray packTargets(INDArray labels, INDArray teacherLogits) {
        if (teacherLogits.rank() != 2 || labels.length() != teacherLogits.size(0)) {
            throw new ShapeException("packTargets", "labels [N] and teacher logits [N, C]",
                    "labels " + Arrays.toString(labels.shape()) + ", teacher logits " + Arrays.toString(teacherLogits.shape()));
        }
        DataType type = teacherLogits.dataType();
        INDArray col = labels.castTo(type).reshape(labels.length(), 1);
        return Nd4j.hstack(col, teacherLogits.castTo(type));
    }

    /** The labels (column 0) of packed targets [N, 1 + C], as integers. */
    public static INDArray labelsOf(INDArray packed) {
        return packed.get(NDArrayIndex.all(), NDArrayIndex.point(0)).castTo(DataType.INT).reshape(packed.size(0));
    }

    /** The teacher logits (columns 1..C) of packed targets [N, 1 + C]. */
    public static INDArray teacherLogitsOf(INDArray packed) {
        return packed.get(NDArrayIndex.all(), NDArrayIndex.interval(1, packed.size(1))).dup('c');
    }

    /**
     * The objective to give the course {@link Trainer}: the student's logits of the batch's inputs against the
     * batch's packed targets ({@link #packTargets}). {@code trainer.fitEpochs(x, packTargets(y, teacherLogits),
     * epochs, batch, loss.objective(student::forward), eval)}.
     */
    public Trainer.Objective objective(Function<INDArray, Tensor> student) {
        return (Batch b) -> {
            INDArray y = b.y();
            if (y.rank() != 2 || y.size(1) < 2) {
                throw new ShapeException("DistillationLoss.objective", "packed targets [N, 1 + C] (see packTargets)",
                        Arrays.toString(y.shape()));
            }
            return loss(student.apply(b.x()), teacherLogitsOf(y), labelsOf(y));
        };
    }

    /** Row-wise log(softmax(z / T)) of rows × c values, in double: z/T − max − log Σ exp(z/T − max). */
    static double[] logSoftmaxRows(double[] z, int rows, int c, double t) {
        double[] out = new double[z.length];
        for (int r = 0; r < rows; r++) {
            int o = r * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) max = Math.max(max, z[o + j] / t);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.exp(z[o + j] / t - max);
            double logZ = max + Math.log(sum);
            for (int j = 0; j < c; j++) out[o + j] = z[o + j] / t - logZ;
        }
        return out;
    }

    /** A NaN or infinite logit has no soft target: refused, naming the element (a diverged model, usually). */
    private static void requireFinite(double[] z, String whose) {
        for (int i = 0; i < z.length; i++) {
            if (!Double.isFinite(z[i])) {
                throw new IllegalArgumentException("DistillationLoss: the " + whose + "'s logits must be finite; element "
                        + i + " (row-major) is " + z[i] + " (a diverged " + whose + "? check its training, or the cached "
                        + "teacher outputs)");
            }
        }
    }

    private static void checkShapes(Tensor student, INDArray teacher) {
        long[] s = student.shape(), t = teacher.shape();
        if (!Arrays.equals(s, t)) {
            String hint = s.length > 0 && t.length > 0 && s[s.length - 1] != t[t.length - 1]
                    ? "the student has " + s[s.length - 1] + " classes and the teacher " + t[t.length - 1]
                      + ": both must predict the same classes"
                    : "the teacher's logits must be those of the same examples, in the same order";
            throw new ShapeException("DistillationLoss", "teacher logits of the student's shape "
                    + Arrays.toString(s) + " (" + hint + ")", Arrays.toString(t));
        }
        if (!teacher.dataType().isFPType()) {
            throw new IllegalArgumentException("DistillationLoss: expected floating-point teacher logits, got "
                    + teacher.dataType());
        }
    }

    @Override
    public String toString() {
        return "DistillationLoss(T=" + temperature + ", alpha=" + alpha + ")";
    }
}
