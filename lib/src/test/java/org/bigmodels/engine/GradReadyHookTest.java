package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Tensor#onGradReady}: the hook data parallelism overlaps its all-reduce with. The graph uses W twice, first
 * and last (like tied embeddings), so a hook fired after W's first contribution would see half its gradient. The
 * reference gradient is central finite differences in double.
 */
class GradReadyHookTest {
    static final double[][] X = {{1.0, -2.0, 0.5}, {0.3, 0.7, -1.1}};
    static final double[][] W = {{0.2, -0.4, 0.1}, {-0.6, 0.3, 0.8}, {0.5, 0.05, -0.7}};
    static final double[] B = {0.1, -0.2, 0.3};

    /** loss = sum(tanh(x·W + b)·W) in plain double loops. */
    static double loss(double[][] w, double[] b) {
        double s = 0;
        for (int i = 0; i < 2; i++) {
            double[] h = new double[3];
            for (int j = 0; j < 3; j++) {
                double z = b[j];
                for (int k = 0; k < 3; k++) z += X[i][k] * w[k][j];
                h[j] = Math.tanh(z);
            }
            for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) s += h[k] * w[k][j];
        }
        return s;
    }

    static double[][] finiteDifferenceW() {
        double eps = 1e-6;
        double[][] g = new double[3][3];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                double[][] p = copy(W), m = copy(W);
                p[r][c] += eps;
                m[r][c] -= eps;
                g[r][c] = (loss(p, B) - loss(m, B)) / (2 * eps);
            }
        }
        return g;
    }

    static double[][] copy(double[][] a) {
        double[][] o = new double[a.length][];
        for (int i = 0; i < a.length; i++) o[i] = a[i].clone();
        return o;
    }

    final Tensor w = Tensor.param(Nd4j.createFromArray(W)).named("W");
    final Tensor b = Tensor.param(Nd4j.createFromArray(B).reshape(1, 3)).named("b");

    Tensor forward() {
        Tensor x = Tensor.of(Nd4j.createFromArray(X));
        return x.matmul(w).add(b).tanh().matmul(w).sum();
    }

    @Test
    void firesOncePerParameterPerBackwardWithTheFinalGradient() {
        Map<Tensor, List<INDArray>> seen = new IdentityHashMap<>();
        List<Tensor> fired = new ArrayList<>();
        for (Tensor p : List.of(w, b)) {
            p.onGradReady(t -> {
                fired.add(t);
                seen.computeIfAbsent(t, k -> new ArrayList<>()).add(t.grad().dup());
            });
        }
        Tensor loss = forward();
        loss.backward();
        assertEquals(2, fired.size(), "one call per parameter per backward, got " + fired);
        assertEquals(w.grad(), seen.get(w).get(0), "the hook saw W before its last contribution (used twice)");
        assertEquals(b.grad(), seen.get(b).get(0));
        double[][] fd = finiteDifferenceW();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(fd[r][c], seen.get(w).get(0).getDouble(r, c), 1e-7, "dL/dW[" + r + "," + c + "]");
            }
        }

        // order: the firings are the leaves in reverse topological order
        List<Tensor> order = loss.topologicalOrder();
        List<Tensor> expected = new ArrayList<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            if (order.get(i) == w || order.get(i) == b) expected.add(order.get(i));
        }
        assertEquals(expected, fired);

        // a second pass: fires again, and sees the accumulated sum (leaves accumulate over backward calls)
        forward().backward();
        assertEquals(4, fired.size());
        assertEquals(w.grad(), seen.get(w).get(1));
        assertEquals(seen.get(w).get(0).mul(2), seen.get(w).get(1));
    }

    @Test
    void firesAfterEveryConsumerHasRun() {
        // a clock of backward closures: when W's hook fires, every op using W must have run its backward
        List<String> log = new ArrayList<>();
        w.onGradReady(t -> log.add("hook"));
        Tensor x = Tensor.of(Nd4j.createFromArray(X));
        Tensor first = Tensor.fromOp("first", x.value().mmul(w.value()), g -> {
            log.add("first");
            w.accumulateGrad(x.value().transpose().mmul(g));
        }, w);
        Tensor h = first.tanh();
        Tensor second = Tensor.fromOp("second", h.value().mmul(w.value()), g -> {
            log.add("second");
            h.accumulateGrad(g.mmul(w.value().transpose()));
            w.accumulateGrad(h.value().transpose().mmul(g));
        }, h, w);
        second.sum().backward();
        assertEquals(List.of("second", "first", "hook"), log);
    }

    @Test
    void removedHooksAreNotCalledAndOnlyParametersTakeHooks() {
        int[] calls = {0};
        Runnable remove = w.onGradReady(t -> calls[0]++);
        forward().backward();
        remove.run();
        forward().backward();
        assertEquals(1, calls[0]);
        Tensor data = Tensor.of(Nd4j.zeros(DataType.DOUBLE, 2));
        assertThrows(IllegalStateException.class, () -> data.onGradReady(t -> { }));
        Tensor op = w.mul(2.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> op.onGradReady(t -> { }));
        assertTrue(e.getMessage().contains("parameter"), e.getMessage());
    }
}
