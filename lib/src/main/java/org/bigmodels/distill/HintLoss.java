package org.bigmodels.distill;

import java.util.Arrays;
import java.util.List;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Init;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.bigmodels.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Intermediate-representation ("hint") distillation, Romero et al. 2015, "FitNets: Hints for Thin Deep Nets", §2.2:
 * the student's <em>guided</em> hidden layer h_s [N, d_s] is mapped by a learned <b>regressor</b> (here a linear
 * projection W [d_s, d_t], b [d_t]) into the teacher's <em>hint</em> layer's space, and regressed onto the teacher's
 * hidden activations h_t [N, d_t]:
 *
 * <pre>
 *   L2 (FitNets eq. 3):  L_hint = mean over rows and features of (h_s W + b − h_t)²   (½‖·‖² up to a constant factor)
 *   COSINE:              L_hint = mean over rows of 1 − cos(h_s W + b, h_t)            (scale-free variant)
 * </pre>
 *
 * The projection goes from the student to the teacher (d_s → d_t), never the other way: the teacher's
 * representation is the fixed target, and a projection of the teacher could shrink it toward whatever the student
 * produces (to 0, a trivial minimum). The projection belongs to the loss (this module owns it) and is trained with
 * the student, then thrown away.
 *
 * <p><b>The two-stage procedure</b> (FitNets Algorithm 1): stage 1 trains the student's layers up to the guided
 * layer together with the regressor on the hint loss alone ({@link #stageOneParameters} lists exactly those
 * parameters for the optimizer; {@link #hidden} computes a Sequential's hidden activations); stage 2 trains the whole
 * student with the output-distillation loss ({@link DistillationLoss}) from there. Taught in 16-distillation.
 */
public final class HintLoss extends Module {
    /** Which distance between the projected student and the teacher representation. */
    public enum Kind { L2, COSINE }

    private final Linear projection;
    private final Kind kind;

    /**
     * @param studentDim d_s, the width of the student's guided layer
     * @param teacherDim d_t, the width of the teacher's hint layer
     * @throws IllegalArgumentException when a width is not positive or kind is null
     */
    public HintLoss(long studentDim, long teacherDim, Kind kind, DataType type, long seed) {
        if (studentDim <= 0 || teacherDim <= 0 || kind == null) {
            throw new IllegalArgumentException("HintLoss: expected positive widths and a kind, got studentDim "
                    + studentDim + ", teacherDim " + teacherDim + ", kind " + kind);
        }
        this.projection = child("projection", new Linear(studentDim, teacherDim, type, Init.rng(seed)));
        this.kind = kind;
    }

    /** The regressor, W [d_s, d_t] and b [d_t]. */
    public Linear projection() {
        return projection;
    }

    /** L2 or COSINE. */
    public Kind kind() {
        return kind;
    }

    /**
     * The hint loss of the student's hidden activations [N, d_s] against the teacher's [N, d_t] (a constant).
     *
     * @throws ShapeException when the widths are not the projection's (d_s, d_t) or the row counts differ, saying
     *     which side is wrong
     */
    public Tensor loss(Tensor studentHidden, INDArray teacherHidden) {
        long ds = projection.in(), dt = projection.out();
        if (studentHidden.rank() != 2 || studentHidden.size(1) != ds) {
            throw new ShapeException("HintLoss", "student hidden activations [N, " + ds + "] (the projection's input"
                    + " width d_s)", Arrays.toString(studentHidden.shape()));
        }
        if (teacherHidden.rank() != 2 || teacherHidden.size(1) != dt || teacherHidden.size(0) != studentHidden.size(0)) {
            throw new ShapeException("HintLoss", "teacher hidden activations [" + studentHidden.size(0) + ", " + dt
                    + "] (the projection's output width d_t, one row per student row)", Arrays.toString(teacherHidden.shape()));
        }
        Tensor projected = projection.forward(studentHidden);
        Tensor target = Tensor.of(teacherHidden.castTo(projected.dataType()));
        if (kind == Kind.L2) return Ops.mse(projected, target);
        // 1 - <a, b> / (|a| |b|), per row, with a tiny epsilon so an all-zero row gives a finite loss
        Tensor dot = projected.mul(target).sum(true, 1);
        Tensor na = projected.mul(projected).sum(true, 1).add(1e-12).pow(0.5);
        Tensor nb = target.mul(target).sum(true, 1).add(1e-12).pow(0.5);
        return dot.div(na.mul(nb)).mean().neg().add(1.0);
    }

    /**
     * The hidden activations after the first {@code layers} layers of a Sequential (an {@link org.bigmodels.nn.MLP}:
     * 2 = after the first Linear and its activation).
     *
     * @throws IllegalArgumentException when layers is not in [1, number of layers]
     */
    public static Tensor hidden(Sequential net, Tensor x, int layers) {
        List<Layer> all = net.layers();
        if (layers < 1 || layers > all.size()) {
            throw new IllegalArgumentException("HintLoss.hidden: expected a layer count in [1, " + all.size()
                    + "], got " + layers);
        }
        Tensor h = x;
        for (int i = 0; i < layers; i++) h = all.get(i).forward(h);
        return h;
    }

    /**
     * One module owning the student and this loss's projection (children "student" and "hint"), to give the course
     * Trainer in stage 1: its optimizer then updates {@link #stageOneParameters}, a subset of this module's.
     */
    public Module withStudent(Module student) {
        HintLoss hint = this;
        return new Module() {
            {
                child("student", student);
                child("hint", hint);
            }
        };
    }

    /**
     * FitNets stage 1's trainable parameters: those of the student's first {@code layers} layers and of this loss's
     * projection (the rest of the student stays as it is until stage 2).
     */
    public List<Tensor> stageOneParameters(Sequential student, int layers) {
        List<Layer> all = student.layers();
        if (layers < 1 || layers > all.size()) {
            throw new IllegalArgumentException("HintLoss.stageOneParameters: expected a layer count in [1, "
                    + all.size() + "], got " + layers);
        }
        List<Tensor> out = new java.util.ArrayList<>();
        for (int i = 0; i < layers; i++) if (all.get(i) instanceof Module m) out.addAll(m.parameters());
        out.addAll(parameters());
        return out;
    }
}
