package org.bigmodels.exercises.lesson03;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

import org.bigmodels.data.Digits;
import org.bigmodels.data.TrainTest;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;
import org.bigmodels.train.Metrics;
import org.bigmodels.train.TrainConfig;
import org.bigmodels.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 03.3. References: the update written as plain loops over double arrays, the library's
 * {@link SGD} (momentum 0), and a training run of the course's {@link Trainer} on scikit-learn's digits.
 */
class MomentumSGDTest {

    static double[] randn(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    /** Plain-loop reference: {@code v = mu·v + g (or (1 - mu)·g when dampened); w -= lr·v}, in place. */
    static void reference(double[] w, double[] v, double[] g, double lr, double mu, boolean dampened) {
        for (int i = 0; i < w.length; i++) {
            v[i] = mu * v[i] + (dampened ? 1 - mu : 1) * g[i];
            w[i] -= lr * v[i];
        }
    }

    @Graded(id = "03.3", points = 3, title = "five steps on two parameters match plain loops")
    void matchesPlainLoops() {
        double lr = 0.05;
        double mu = 0.9;
        int[] sizes = {12, 5};
        long[][] shapes = {{3, 4}, {5}};
        Tensor[] p = new Tensor[2];
        double[][] w = new double[2][];
        double[][] v = new double[2][];
        double[][] wDamp = new double[2][];
        double[][] vDamp = new double[2][];
        for (int k = 0; k < 2; k++) {
            w[k] = randn(100 + k, sizes[k]);
            v[k] = new double[sizes[k]];
            wDamp[k] = w[k].clone();
            vDamp[k] = new double[sizes[k]];
            p[k] = Tensor.param(Nd4j.createFromArray(w[k]).reshape(shapes[k]));
        }
        MomentumSGD opt = new MomentumSGD(List.of(p[0], p[1]), lr, mu);
        for (int t = 1; t <= 5; t++) {
            for (int k = 0; k < 2; k++) {
                double[] g = randn(10 * t + k, sizes[k]);
                INDArray ga = Nd4j.createFromArray(g).reshape(shapes[k]);
                if (t == 1) {
                    Ops.sum(Ops.mul(p[k], Tensor.of(ga))).backward(); // d/dp sum(p·g) = g
                } else {
                    p[k].grad().assign(ga); // the engine reuses gradient arrays from step to step, as the Trainer does
                }
                reference(w[k], v[k], g, lr, mu, false);
                reference(wDamp[k], vDamp[k], g, lr, mu, true);
            }
            INDArray[] gradsBefore = {p[0].grad().dup(), p[1].grad().dup()};
            opt.step();
            for (int k = 0; k < 2; k++) {
                assertEquals(gradsBefore[k], p[k].grad(), "step() must not change the gradient (parameter " + k + ")");
                double[] got = p[k].value().reshape(sizes[k]).toDoubleVector();
                if (!close(w[k], got)) {
                    String why;
                    if (close(wDamp[k], got)) {
                        why = "you used the dampened form v = mu·v + (1 - mu)·g; this exercise is v = mu·v + g";
                    } else if (t == 1) {
                        why = "the first step must be w -= lr·g (v starts at 0)";
                    } else {
                        why = "step 1 was right, so the velocity is not carried over correctly: one velocity per"
                                + " parameter, kept across steps, and a copy of the gradient rather than the gradient"
                                + " array itself (which the engine overwrites)";
                    }
                    fail("after step " + t + ", parameter " + k + " differs from v = mu·v + g; w -= lr·v: " + why);
                }
            }
        }
    }

    static boolean close(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-12 * Math.max(1, Math.abs(a[i]))) {
                return false;
            }
        }
        return true;
    }

    @Graded(id = "03.3", points = 1, title = "no gradient, no step; setLearningRate takes effect")
    void skipsMissingGradientsAndFollowsLearningRate() {
        Tensor used = Tensor.param(Nd4j.createFromArray(1.0, 2.0));
        Tensor unused = Tensor.param(Nd4j.createFromArray(3.0, 4.0));
        MomentumSGD opt = new MomentumSGD(List.of(used, unused), 0.1, 0.5);
        Ops.sum(used).backward(); // gradient 1 for `used`, none for `unused`
        opt.setLearningRate(0.25);
        assertEquals(0.25, opt.learningRate(), 0.0, "learningRate() after setLearningRate(0.25)");
        opt.step();
        assertArrayEquals(new double[] {0.75, 1.75}, used.value().toDoubleVector(), 1e-15,
                "w - 0.25·1 after the first step: the step must read the current learning rate (a schedule sets it)");
        assertArrayEquals(new double[] {3.0, 4.0}, unused.value().toDoubleVector(), 0.0,
                "a parameter without a gradient (grad() == null) must not move");
    }

    @Graded(id = "03.3", points = 1, title = "momentum 0 is org.bigmodels.optim.SGD")
    void momentumZeroIsSgd() {
        INDArray w0 = Nd4j.createFromArray(new float[] {0.5f, -1.5f, 2f, 0.25f, -0.75f, 1f}).reshape(2, 3);
        Tensor mine = Tensor.param(w0.dup());
        Tensor lib = Tensor.param(w0.dup());
        MomentumSGD opt = new MomentumSGD(List.of(mine), 0.2, 0.0);
        SGD sgd = new SGD(List.of(lib), 0.2);
        for (int t = 0; t < 3; t++) {
            for (Tensor p : List.of(mine, lib)) {
                p.zeroGrad();
                Ops.sum(Ops.mul(p, p)).backward(); // gradient 2w
            }
            opt.step();
            sgd.step();
            assertArrayEquals(lib.value().reshape(6).toFloatVector(), mine.value().reshape(6).toFloatVector(), 1e-6f,
                    "weights after step " + (t + 1) + " with momentum 0, compared with SGD");
        }
    }

    @Graded(id = "03.3", points = 1, title = "rejects lr <= 0 and momentum outside [0, 1)")
    void rejectsBadHyperparameters() {
        List<Tensor> ps = List.of(Tensor.param(Nd4j.zeros(DataType.FLOAT, 2)));
        assertThrows(IllegalArgumentException.class, () -> new MomentumSGD(ps, 0, 0.9), "lr = 0");
        assertThrows(IllegalArgumentException.class, () -> new MomentumSGD(ps, -0.1, 0.9), "lr = -0.1");
        assertThrows(IllegalArgumentException.class, () -> new MomentumSGD(ps, Double.NaN, 0.9), "lr = NaN");
        assertThrows(IllegalArgumentException.class, () -> new MomentumSGD(ps, 0.1, 1.0),
                "momentum = 1 (the velocity never forgets: it grows without bound)");
        assertThrows(IllegalArgumentException.class, () -> new MomentumSGD(ps, 0.1, -0.5), "momentum = -0.5");
        assertThrows(IllegalArgumentException.class, () -> new MomentumSGD(ps, 0.1, Double.NaN), "momentum = NaN");
    }

    /** The accuracy the Trainer run must reach on the 359 held-out digits (the reference solution reaches 0.944). */
    static final double TARGET_ACCURACY = 0.90;

    @Graded(id = "03.3", points = 3, title = "trains an MLP on digits with the Trainer: >= 90% test accuracy")
    void trainsAnMlpOnDigits() {
        TrainTest data = Digits.split(0.2, 7);
        MLP model = MLP.of(64, 32, 10);
        MomentumSGD opt = new MomentumSGD(model.parameters(), 0.05, 0.9);
        TrainConfig config = TrainConfig.defaults().withProgress(false).withSeed(3);
        new Trainer(model, opt, config).fitEpochs(data.train().features(), data.train().labels(), 8, 32,
                batch -> Ops.crossEntropy(model.forward(Tensor.of(batch.x())), batch.y()), null);
        double accuracy = Trainer.inference(model, m -> Metrics.accuracy(
                Metrics.argmax(model.forward(Tensor.of(data.test().features())).value()), data.test().labelArray()));
        assertTrue(accuracy >= TARGET_ACCURACY, "test accuracy after 8 epochs with lr 0.05, momentum 0.9 is "
                + accuracy + ", expected at least " + TARGET_ACCURACY + " (the reference solution reaches 0.944)."
                + " If matchesPlainLoops passes, look for a velocity that keeps the arena's gradient array itself");
    }
}
