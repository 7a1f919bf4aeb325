package org.bigmodels.exercises.lesson02;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

import org.bigmodels.engine.Tensor;
import org.bigmodels.grading.Graded;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graded tests for exercise 02.1. References, each independent of the code under test: the same formulas in plain
 * double arithmetic ({@link Math}), central finite differences of those formulas, the course engine's
 * {@link Tensor} on one-element arrays, and closed forms.
 */
class ValueTest {

    static final double H = 1e-6;

    static double central(DoubleUnaryOperator f, double x) {
        return (f.applyAsDouble(x + H) - f.applyAsDouble(x - H)) / (2 * H);
    }

    static void unary(String name, Function<Value, Value> op, DoubleUnaryOperator f, double x) {
        Value a = new Value(x);
        Value y = op.apply(a);
        assertEquals(f.applyAsDouble(x), y.data(), 1e-12 * Math.max(1, Math.abs(y.data())), name + "(" + x + ")");
        y.backward();
        double expected = central(f, x);
        assertEquals(expected, a.grad(), 1e-6 * Math.max(1, Math.abs(expected)),
                "d " + name + "(x)/dx at x = " + x + " (central finite difference of Math's " + name + ")");
    }

    static void binary(String name, java.util.function.BinaryOperator<Value> op, DoubleBinaryOperator f, double x,
                       double z) {
        Value a = new Value(x);
        Value b = new Value(z);
        Value y = op.apply(a, b);
        assertEquals(f.applyAsDouble(x, z), y.data(), 1e-12 * Math.max(1, Math.abs(y.data())),
                name + "(" + x + ", " + z + ")");
        y.backward();
        double da = central(t -> f.applyAsDouble(t, z), x);
        double db = central(t -> f.applyAsDouble(x, t), z);
        assertEquals(da, a.grad(), 1e-6 * Math.max(1, Math.abs(da)), "d " + name + "(a, b)/da at a=" + x + ", b=" + z);
        assertEquals(db, b.grad(), 1e-6 * Math.max(1, Math.abs(db)), "d " + name + "(a, b)/db at a=" + x + ", b=" + z);
    }

    @Graded(id = "02.1", points = 3, title = "each op: value by Math, gradient by central differences")
    void eachOperation() {
        binary("add", Value::add, (x, z) -> x + z, 1.5, -0.25);
        binary("mul", Value::mul, (x, z) -> x * z, 1.5, -0.25);
        binary("sub", Value::sub, (x, z) -> x - z, 0.7, 2.0);
        binary("div", Value::div, (x, z) -> x / z, 0.7, -1.3);
        unary("pow 3", v -> v.pow(3), x -> x * x * x, -1.2);
        unary("pow -0.5", v -> v.pow(-0.5), x -> Math.pow(x, -0.5), 2.5);
        unary("exp", Value::exp, Math::exp, 0.8);
        unary("tanh", Value::tanh, Math::tanh, -0.6);
        unary("relu", Value::relu, x -> Math.max(0, x), 1.7);
        unary("relu", Value::relu, x -> Math.max(0, x), -1.7);
        unary("neg", Value::neg, x -> -x, 3.0);
    }

    /** f(a, b, c) = tanh(a·b + c²) · exp(-a) / (b - c) + relu(a - 2c), in Value, plain double and engine form. */
    static Value f(Value a, Value b, Value c) {
        return a.mul(b).add(c.pow(2)).tanh().mul(a.neg().exp()).div(b.sub(c)).add(a.sub(c.mul(2)).relu());
    }

    static double f(double a, double b, double c) {
        return Math.tanh(a * b + c * c) * Math.exp(-a) / (b - c) + Math.max(0, a - 2 * c);
    }

    static Tensor f(Tensor a, Tensor b, Tensor c) {
        return a.mul(b).add(c.pow(2)).tanh().mul(a.neg().exp()).div(b.sub(c)).add(a.sub(c.mul(2)).relu());
    }

    static Tensor param(double x) {
        return Tensor.param(Nd4j.createFromArray(x));
    }

    @Graded(id = "02.1", points = 3, title = "an expression: matches finite differences and the engine")
    void expressionMatchesEngineAndDifferences() {
        double[][] points = {{0.9, 1.7, -0.4}, {-0.3, 0.8, 0.2}, {2.0, -0.5, 0.6}};
        for (double[] p : points) {
            Value a = new Value(p[0]);
            Value b = new Value(p[1]);
            Value c = new Value(p[2]);
            Value y = f(a, b, c);
            y.backward();
            Tensor ta = param(p[0]);
            Tensor tb = param(p[1]);
            Tensor tc = param(p[2]);
            Tensor ty = f(ta, tb, tc);
            ty.backward();
            String at = " at (a, b, c) = (" + p[0] + ", " + p[1] + ", " + p[2] + ")";
            assertEquals(f(p[0], p[1], p[2]), y.data(), 1e-12, "value of f" + at);
            assertEquals(ty.value().getDouble(0), y.data(), 1e-12, "value of f, compared with the engine" + at);
            double[] grads = {a.grad(), b.grad(), c.grad()};
            double[] engine = {ta.grad().getDouble(0), tb.grad().getDouble(0), tc.grad().getDouble(0)};
            String[] names = {"a", "b", "c"};
            for (int i = 0; i < 3; i++) {
                final int k = i;
                double fd = central(t -> {
                    double[] q = p.clone();
                    q[k] = t;
                    return f(q[0], q[1], q[2]);
                }, p[i]);
                assertEquals(engine[i], grads[i], 1e-10, "df/d" + names[i] + " compared with the engine's backward" + at);
                assertEquals(fd, grads[i], 1e-6, "df/d" + names[i] + " compared with central differences" + at);
            }
        }
    }

    @Graded(id = "02.1", points = 2, title = "a value used twice gets both contributions")
    void usedTwiceAccumulates() {
        Value a = new Value(3.0);
        Value doubled = a.add(a);
        doubled.backward();
        if (a.grad() == 1.0) {
            fail("d(a + a)/da is 2, got 1: the second use overwrote the first. Add (+=) to a child's grad, never"
                    + " assign (=)");
        }
        assertEquals(2.0, a.grad(), 1e-15, "d(a + a)/da");

        Value x = new Value(-1.5);
        Value y = x.mul(x).add(x); // x² + x: dy/dx = 2x + 1 = -2
        y.backward();
        assertEquals(-2.0, x.grad(), 1e-12, "d(x·x + x)/dx = 2x + 1 at x = -1.5: x is used three times");

        // a diamond: h feeds two branches that meet again
        Value w = new Value(0.5);
        Value h = w.mul(3.0);
        Value out = h.tanh().add(h.exp());
        out.backward();
        double hv = 1.5;
        assertEquals(3.0 * ((1 - Math.tanh(hv) * Math.tanh(hv)) + Math.exp(hv)), w.grad(), 1e-12,
                "d(tanh(3w) + exp(3w))/dw: h = 3w reaches the output along two paths; it may pass its gradient on"
                        + " only after both have arrived (reverse topological order)");
    }

    @Graded(id = "02.1", points = 2, title = "two backward calls over a shared sub-graph add up exactly")
    void secondBackwardAddsUp() {
        Value a = new Value(0.7);
        Value b = new Value(-1.2);
        Value h = a.mul(b);
        Value l1 = h.mul(2.0);   // dl1/da = 2b
        Value l2 = h.mul(h);     // dl2/da = 2·h·b = 2ab²
        l1.backward();
        l2.backward();
        double expected = 2 * -1.2 + 2 * 0.7 * 1.2 * 1.2;
        double stale = expected + 2 * -1.2; // h kept dl1/dh = 2 from l1.backward() and passed 2·b down again
        if (Math.abs(a.grad() - stale) < 1e-9) {
            fail("after l1.backward(); l2.backward(), a.grad is " + a.grad() + " instead of dl1/da + dl2/da = "
                    + expected + ": the intermediate h kept its gradient from the first call and passed it on again."
                    + " backward() must reset the grad of every non-leaf value first");
        }
        assertEquals(expected, a.grad(), 1e-12, "a.grad after two backward calls = dl1/da + dl2/da");

        Value x = new Value(2.0);
        Value y = x.mul(x).mul(3.0); // dy/dx = 6x = 12
        y.backward();
        y.backward();
        assertEquals(24.0, x.grad(), 1e-12, "calling y.backward() twice: a leaf accumulates, 12 + 12");
        x.zeroGrad();
        y.backward();
        assertEquals(12.0, x.grad(), 1e-12, "after zeroGrad() and one more backward");
    }

    @Graded(id = "02.1", points = 1, title = "topologicalOrder: each value once, after its children")
    void topologicalOrder() {
        Value a = new Value(1);
        Value b = new Value(2);
        Value c = a.mul(b);
        Value d = c.add(a);
        Value e = d.mul(c).add(b);
        List<Value> order = e.topologicalOrder();
        Map<Value, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            if (position.put(order.get(i), i) != null) {
                fail("a value appears twice in the topological order (position " + i + "): keep a set of visited"
                        + " values");
            }
        }
        int expectedCount = countReachable(e, new IdentityHashMap<>());
        assertEquals(expectedCount, order.size(), "number of values e depends on, itself and the constants included");
        for (Value v : order) {
            for (Value child : v.children()) {
                assertTrue(position.containsKey(child), "a child of " + v + " is missing from the order");
                assertTrue(position.get(child) < position.get(v),
                        "a value (" + v.op() + ") comes before one of its children (" + child.op() + "): a value may"
                                + " only be listed after all its children");
            }
        }
        assertTrue(order.get(order.size() - 1) == e, "the value itself comes last");
    }

    static int countReachable(Value v, Map<Value, Boolean> seen) {
        if (seen.put(v, true) != null) {
            return 0;
        }
        int n = 1;
        for (Value c : v.children()) {
            n += countReachable(c, seen);
        }
        return n;
    }

    @Graded(id = "02.1", points = 2, title = "a chain of 100,000 values: no stack overflow, exact gradient")
    void deepChain() {
        int n = 100_000;
        Value x = new Value(1.0);
        Value y = x;
        for (int i = 0; i < n; i++) {
            y = y.mul(1 + 1e-6);
        }
        try {
            y.backward();
        } catch (StackOverflowError e) {
            fail("backward() on a chain of " + n + " values overflowed the Java stack: a recursive depth-first search"
                    + " goes one frame deeper per value. Keep an explicit stack (ArrayDeque) instead");
        }
        assertEquals(Math.pow(1 + 1e-6, n), x.grad(), 1e-9, "d(x·c^n)/dx = c^n for c = 1 + 1e-6, n = " + n);
    }

    @Graded(id = "02.1", points = 1, title = "no silent NaN: 0^-1 and (-1)^0.5 are refused")
    void refusesNonFinite() {
        assertThrows(IllegalArgumentException.class, () -> new Value(1).div(new Value(0)),
                "1 / 0 must be refused (IllegalArgumentException from the constructor), not become infinity");
        assertThrows(IllegalArgumentException.class, () -> new Value(-1).pow(0.5),
                "(-1)^0.5 must be refused, not become NaN");
        assertThrows(IllegalArgumentException.class, () -> new Value(800).exp(), "exp(800) overflows");
        assertEquals(Math.sqrt(2.0), new Value(2).pow(0.5).data(), 1e-15, "2^0.5 stays allowed");
    }

    @Graded(id = "02.1", points = 1, title = "the engine agrees on a small neuron: tanh(w·x + b)")
    void neuronLikeLesson02() {
        double[] xs = {2.0, 0.0};
        double[] ws = {-3.0, 1.0};
        double bias = 6.8813735870195432;
        Value[] w = {new Value(ws[0]), new Value(ws[1])};
        Value b = new Value(bias);
        Value out = new Value(xs[0]).mul(w[0]).add(new Value(xs[1]).mul(w[1])).add(b).tanh();
        out.backward();
        Tensor tw = Tensor.param(Nd4j.createFromArray(ws).reshape(2, 1));
        Tensor tb = Tensor.param(Nd4j.createFromArray(bias).castTo(DataType.DOUBLE));
        Tensor tout = Tensor.of(Nd4j.createFromArray(xs).reshape(1, 2)).matmul(tw).reshape(1).add(tb).tanh();
        tout.backward();
        assertEquals(tout.value().getDouble(0), out.data(), 1e-12, "tanh(w·x + b)");
        assertEquals(tw.grad().getDouble(0, 0), w[0].grad(), 1e-12, "d out / d w0");
        assertEquals(tw.grad().getDouble(1, 0), w[1].grad(), 1e-12, "d out / d w1");
        assertEquals(tb.grad().getDouble(0), b.grad(), 1e-12, "d out / d b");
    }
}
