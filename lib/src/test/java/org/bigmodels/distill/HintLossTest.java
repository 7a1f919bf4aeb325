package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.nn.Sequential;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HintLossTest {

    static INDArray randn(long seed, long... shape) {
        return DistillationLossTest.randn(seed, shape);
    }

    /** Plain double loops: mean over rows and features of (s W + b - t)^2, or mean over rows of 1 - cos. */
    static double reference(HintLoss.Kind kind, double[][] s, double[][] w, double[] b, double[][] t) {
        double total = 0;
        for (int i = 0; i < s.length; i++) {
            double dot = 0, na = 0, nb = 0, sq = 0;
            for (int j = 0; j < b.length; j++) {
                double p = b[j];
                for (int k = 0; k < s[i].length; k++) p += s[i][k] * w[k][j];
                sq += (p - t[i][j]) * (p - t[i][j]);
                dot += p * t[i][j];
                na += p * p;
                nb += t[i][j] * t[i][j];
            }
            total += kind == HintLoss.Kind.L2 ? sq / b.length : 1 - dot / Math.sqrt(na * nb);
        }
        return total / s.length;
    }

    @Test
    void valuesMatchPlainLoopsAndGradientsMatchFiniteDifferences() {
        for (HintLoss.Kind kind : HintLoss.Kind.values()) {
            HintLoss hint = new HintLoss(3, 5, kind, DataType.DOUBLE, 1);
            INDArray s = randn(2, 4, 3), t = randn(3, 4, 5);
            INDArray w = hint.projection().weight().value(), b = hint.projection().bias().value();
            assertEquals(reference(kind, s.toDoubleMatrix(), w.toDoubleMatrix(), b.toDoubleVector(), t.toDoubleMatrix()),
                    hint.loss(Tensor.of(s), t).item(), 1e-12, kind + " value");
            Tensor st = Tensor.param(s.dup());
            hint.zeroGrad();
            hint.loss(st, t).backward();
            double h = 1e-6;
            // the student's hidden activations and the projection's weights
            for (INDArray[] pair : List.of(new INDArray[] {s, st.grad()}, new INDArray[] {w, hint.projection().weight().grad().dup()})) {
                INDArray target = pair[0], grad = pair[1];
                for (int i = 0; i < target.length(); i++) {
                    double old = target.getDouble(i);
                    target.putScalar(i, old + h);
                    double up = reference(kind, s.toDoubleMatrix(), w.toDoubleMatrix(), b.toDoubleVector(), t.toDoubleMatrix());
                    target.putScalar(i, old - h);
                    double down = reference(kind, s.toDoubleMatrix(), w.toDoubleMatrix(), b.toDoubleVector(), t.toDoubleMatrix());
                    target.putScalar(i, old);
                    assertEquals((up - down) / (2 * h), grad.getDouble(i), 1e-7, kind + " gradient #" + i);
                }
            }
        }
    }

    @Test
    void cosineIgnoresTheTeachersScaleAndL2DoesNot() {
        HintLoss cos = new HintLoss(3, 5, HintLoss.Kind.COSINE, DataType.DOUBLE, 1);
        HintLoss l2 = new HintLoss(3, 5, HintLoss.Kind.L2, DataType.DOUBLE, 1);
        INDArray s = randn(2, 4, 3), t = randn(3, 4, 5);
        assertEquals(cos.loss(Tensor.of(s), t).item(), cos.loss(Tensor.of(s), t.mul(7)).item(), 1e-12);
        assertNotEquals(l2.loss(Tensor.of(s), t).item(), l2.loss(Tensor.of(s), t.mul(7)).item(), 1e-3);
    }

    @Test
    void mismatchedHiddenSizesGetClearErrors() {
        HintLoss hint = new HintLoss(30, 1200, HintLoss.Kind.L2, DataType.FLOAT, 1);
        var e = assertThrows(ShapeException.class,
                () -> hint.loss(Tensor.of(Nd4j.zeros(DataType.FLOAT, 4, 1200)), Nd4j.zeros(DataType.FLOAT, 4, 30)));
        assertTrue(e.getMessage().contains("[N, 30]"), e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> hint.loss(Tensor.of(Nd4j.zeros(DataType.FLOAT, 4, 30)), Nd4j.zeros(DataType.FLOAT, 4, 800)));
        assertTrue(e.getMessage().contains("1200"), e.getMessage());
        assertThrows(ShapeException.class,
                () -> hint.loss(Tensor.of(Nd4j.zeros(DataType.FLOAT, 4, 30)), Nd4j.zeros(DataType.FLOAT, 5, 1200)));
        assertThrows(IllegalArgumentException.class, () -> new HintLoss(0, 5, HintLoss.Kind.L2, DataType.FLOAT, 1));
    }

    @Test
    void stageOneFitsTheStudentsLowerLayersToTheTeachersHintThroughTheTrainer() {
        // FitNets stage 1: only the student's first layer and the regressor train, on the hint loss alone
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 200, 6);
        MLP teacher = new MLP(new long[] {6, 16, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 1);
        INDArray hintTarget;
        try (var off = Tensor.noGrad()) {
            hintTarget = HintLoss.hidden(teacher, Tensor.of(x), 2).value().dup();
        }
        MLP student = new MLP(new long[] {6, 8, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 2);
        HintLoss hint = new HintLoss(8, 16, HintLoss.Kind.L2, DataType.FLOAT, 3);
        INDArray headBefore = student.linears().get(1).weight().value().dup();
        org.bigmodels.nn.Module both = hint.withStudent(student); // one module owning every parameter, for the Trainer's check
        List<Tensor> params = hint.stageOneParameters(student, 2);
        assertEquals(4, params.size(), "student layer 0 (W, b) and the projection (W, b)");
        java.util.function.DoubleSupplier value = () -> Trainer.inference(both,
                m -> hint.loss(HintLoss.hidden(student, Tensor.of(x), 2), hintTarget).item());
        double before = value.getAsDouble();
        Trainer trainer = new Trainer(both, Adam.adam(params, 1e-2), TrainConfig.defaults().withProgress(false));
        INDArray rows = Nd4j.arange(200).castTo(DataType.FLOAT);
        trainer.fitEpochs(x, rows, 30, 50, b -> {
            int[] idx = b.y().toIntVector();
            return hint.loss(HintLoss.hidden(student, Tensor.of(b.x()), 2), hintTarget.getRows(idx));
        }, null);
        assertTrue(value.getAsDouble() < 0.5 * before, "hint loss " + before + " -> " + value.getAsDouble());
        assertEquals(headBefore, student.linears().get(1).weight().value(), "stage 1 must leave the layers above the guided one alone");
    }
}
