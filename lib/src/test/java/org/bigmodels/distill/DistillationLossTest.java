package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.engine.ShapeException;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.Adam;
import org.bigmodels.train.Batch;
import org.bigmodels.train.Batches;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DistillationLossTest {

    static INDArray randn(long seed, long... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (long s : shape) n *= (int) s;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 3 * r.nextGaussian();
        return Nd4j.createFromArray(d).reshape('c', shape);
    }

    static double loss(DistillationLoss kd, INDArray s, INDArray t, INDArray y) {
        try (var off = Tensor.noGrad()) {
            return kd.loss(Tensor.of(s), t, y).item();
        }
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        INDArray s = randn(1, 4, 5), t = randn(2, 4, 5);
        INDArray y = Nd4j.createFromArray(0, 3, 4, 1);
        for (double temp : new double[] {1, 3, 20}) {
            for (double alpha : new double[] {0, 0.3, 1}) {
                DistillationLoss kd = new DistillationLoss(temp, alpha);
                Tensor st = Tensor.param(s.dup());
                kd.loss(st, t, y).backward();
                INDArray g = st.grad();
                double h = 1e-5;
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 5; j++) {
                        INDArray p = s.dup(), m = s.dup();
                        p.putScalar(i, j, s.getDouble(i, j) + h);
                        m.putScalar(i, j, s.getDouble(i, j) - h);
                        double fd = (loss(kd, p, t, y) - loss(kd, m, t, y)) / (2 * h);
                        assertEquals(fd, g.getDouble(i, j), 1e-7 + 1e-6 * Math.abs(fd),
                                "T=" + temp + " alpha=" + alpha + " at (" + i + "," + j + ")");
                    }
                }
            }
        }
    }

    @Test
    void softGradientIsTTimesProbabilityDifferenceOverRows() {
        // the closed form of the doc: d(T^2 KL)/dz_s = T (p_s - p_t) / N, with p = softmax(z / T) by plain loops
        INDArray s = randn(3, 3, 4), t = randn(4, 3, 4);
        double temp = 4;
        Tensor st = Tensor.param(s.dup());
        new DistillationLoss(temp, 1).softLoss(st, t).backward();
        for (int i = 0; i < 3; i++) {
            double[] ps = plainSoftmax(s.getRow(i).toDoubleVector(), temp), pt = plainSoftmax(t.getRow(i).toDoubleVector(), temp);
            for (int j = 0; j < 4; j++) assertEquals(temp * (ps[j] - pt[j]) / 3, st.grad().getDouble(i, j), 1e-12);
        }
    }

    @Test
    void atHighTemperatureTheScaledSoftLossIsTheLogitMatchingLimit() {
        // Hinton et al. §2.1: for large T, T^2 KL -> (1/2C) sum_j (dz_j - mean dz)^2 with dz = z_s - z_t. Without
        // the T^2 factor the value would be ~T^2 = 1e6 times smaller.
        INDArray s = randn(5, 2, 6), t = randn(6, 2, 6);
        double temp = 1000;
        double got = loss(new DistillationLoss(temp, 1), s, t, Nd4j.createFromArray(0, 0));
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double[] d = s.getRow(i).sub(t.getRow(i)).toDoubleVector();
            double mean = java.util.Arrays.stream(d).average().orElseThrow();
            for (double v : d) expected += (v - mean) * (v - mean) / (2 * 6);
        }
        expected /= 2;
        assertEquals(expected, got, 1e-3 * expected, "T^2-scaled soft loss at T=1000 vs the logit-matching limit");
    }

    @Test
    void atTemperatureOneAndAlphaZeroItIsPlainCrossEntropy() {
        INDArray s = randn(7, 6, 10), t = randn(8, 6, 10);
        INDArray y = Nd4j.createFromArray(9, 0, 3, 3, 7, 1);
        double expected = 0;
        for (int i = 0; i < 6; i++) expected -= Math.log(plainSoftmax(s.getRow(i).toDoubleVector(), 1)[y.getInt(i)]);
        expected /= 6;
        assertEquals(expected, loss(new DistillationLoss(1, 0), s, t, y), 1e-12);
    }

    @Test
    void theMixedValueMatchesPlainLoops() {
        // alpha T^2 mean KL(p_t || p_s) + (1 - alpha) mean CE, written as cross-entropy minus entropy, in double loops
        INDArray s = randn(11, 3, 5), t = randn(12, 3, 5);
        INDArray y = Nd4j.createFromArray(4, 0, 2);
        double temp = 3, alpha = 0.25, kl = 0, ce = 0;
        for (int i = 0; i < 3; i++) {
            double[] ps = plainSoftmax(s.getRow(i).toDoubleVector(), temp), pt = plainSoftmax(t.getRow(i).toDoubleVector(), temp);
            for (int j = 0; j < 5; j++) kl += -pt[j] * Math.log(ps[j]) + pt[j] * Math.log(pt[j]);
            ce -= Math.log(plainSoftmax(s.getRow(i).toDoubleVector(), 1)[y.getInt(i)]);
        }
        double expected = (alpha * temp * temp * kl + (1 - alpha) * ce) / 3;
        assertEquals(expected, loss(new DistillationLoss(temp, alpha), s, t, y), 1e-12);
    }

    @Test
    void aStudentIdenticalToItsTeacherHasZeroSoftLossAndGradient() {
        INDArray z = randn(9, 5, 7);
        for (double temp : new double[] {0.5, 1, 4, 20}) {
            Tensor st = Tensor.param(z.dup());
            Tensor soft = new DistillationLoss(temp, 1).softLoss(st, z.dup());
            assertEquals(0, soft.item(), 1e-12, "T=" + temp);
            soft.backward();
            assertEquals(0, st.grad().amaxNumber().doubleValue(), 1e-15, "T=" + temp);
        }
    }

    @Test
    void veryConfidentLogitsGiveFiniteLossesAndGradients() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray teacher = Nd4j.createFromArray(new double[][] {{1e4, 0, -1e4}, {0, 1e4, 0}}).castTo(type);
            INDArray student = Nd4j.createFromArray(new double[][] {{-1e4, 1e4, 0}, {0, 0, 1e4}}).castTo(type);
            for (double temp : new double[] {1, 2.5, 20}) {
                Tensor st = Tensor.param(student.dup());
                Tensor l = new DistillationLoss(temp, 0.5).loss(st, teacher, Nd4j.createFromArray(0, 1));
                assertTrue(Double.isFinite(l.item()) && l.item() > 0, type + " T=" + temp + ": loss " + l.item());
                l.backward();
                for (double g : st.grad().castTo(DataType.DOUBLE).data().asDouble()) {
                    assertTrue(Double.isFinite(g), type + " T=" + temp + ": gradient " + g);
                }
                // the same confident student as its teacher: loss exactly 0 (no inf - inf)
                assertEquals(0, new DistillationLoss(temp, 1).softLoss(Tensor.of(teacher), teacher).item(), 1e-9);
            }
        }
    }

    @Test
    void badArgumentsGetClearErrors() {
        for (double t : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e300, 1e-320}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(t, 0.5));
            assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        }
        for (double a : new double[] {-0.1, 1.1, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(2, a));
            assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        }
        DistillationLoss kd = new DistillationLoss(2, 0.5);
        var e = assertThrows(ShapeException.class,
                () -> kd.loss(Tensor.of(randn(1, 3, 10)), randn(2, 3, 9), Nd4j.createFromArray(0, 1, 2)));
        assertTrue(e.getMessage().contains("10 classes") && e.getMessage().contains("9"), e.getMessage());
        assertThrows(ShapeException.class,
                () -> kd.loss(Tensor.of(randn(1, 3, 10)), randn(2, 4, 10), Nd4j.createFromArray(0, 1, 2)));
        assertThrows(IllegalArgumentException.class, () -> DistillationLoss.softTargets(randn(1, 2, 3), 0));
        // a NaN or infinite teacher logit: refused (it gave a finite loss and a NaN gradient before)
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            INDArray zt = randn(3, 2, 4);
            zt.putScalar(0, 0, bad);
            var ex = assertThrows(IllegalArgumentException.class, () -> kd.softLoss(Tensor.of(randn(4, 2, 4)), zt));
            assertTrue(ex.getMessage().contains("teacher's logits must be finite"), ex.getMessage());
        }
    }

    @Test
    void packedTargetsStayWithTheirExamplesThroughShuffling() {
        int n = 50, c = 4;
        INDArray labels = Nd4j.createFromArray(new Random(1).ints(n, 0, c).toArray());
        INDArray teacher = Nd4j.zeros(DataType.FLOAT, n, c);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 1);
        for (int i = 0; i < n; i++) {
            teacher.putScalar(i, labels.getInt(i), 5);
            x.putScalar(i, 0, i);
        }
        INDArray packed = DistillationLoss.packTargets(labels, teacher);
        for (Batch b : Batches.epoch(x, packed, 8, 3, 1)) {
            INDArray y = DistillationLoss.labelsOf(b.y()), z = DistillationLoss.teacherLogitsOf(b.y());
            for (int i = 0; i < y.length(); i++) {
                int row = (int) b.x().getDouble(i, 0);
                assertEquals(labels.getInt(row), y.getInt(i));
                assertEquals(labels.getInt(row), z.getRow(i).argMax().getInt(0));
            }
        }
    }

    @Test
    void theObjectivePlugsIntoTheCourseTrainer() {
        // a student learns a fixed random teacher's soft targets through Trainer.fitEpochs: the soft loss falls
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 256, 8);
        MLP teacher = new MLP(new long[] {8, 32, 4}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 1);
        INDArray z = TeacherOutputs.compute(TeacherOutputs.ofModule(teacher, teacher::forward), x, 100);
        INDArray labels = z.argMax(1).castTo(DataType.INT);
        MLP student = new MLP(new long[] {8, 16, 4}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 2);
        DistillationLoss kd = new DistillationLoss(4, 0.9);
        java.util.function.DoubleSupplier soft = () -> Trainer.inference(student,
                m -> kd.softLoss(student.forward(x), z).item());
        double before = soft.getAsDouble();
        Trainer trainer = new Trainer(student, Adam.adam(student.parameters(), 1e-2),
                TrainConfig.defaults().withProgress(false));
        trainer.fitEpochs(x, DistillationLoss.packTargets(labels, z), 20, 32, kd.objective(student::forward), null);
        double after = soft.getAsDouble();
        assertTrue(after < 0.3 * before, "soft loss " + before + " -> " + after);
    }

    static double[] plainSoftmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v / t);
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] / t - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }
}
