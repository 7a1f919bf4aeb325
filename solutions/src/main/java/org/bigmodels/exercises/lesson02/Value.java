package org.bigmodels.exercises.lesson02;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Exercise 02.1 (lesson 02-backprop-from-scratch): backpropagation, built by you, on single numbers. Reference
 * solution.
 *
 * <p>A {@code Value} holds a number ({@link #data()}), the values it was computed from ({@link #children()}), and,
 * after {@link #backward()}, the derivative of the output with respect to it ({@link #grad()}). Each operation
 * creates its result and tells it how to pass a gradient back to its inputs: the local derivative times the
 * result's gradient (the chain rule), ADDED to each input's gradient, because an input used twice receives a
 * contribution along each path. {@link #backward()} visits the graph in reverse topological order, so a value
 * passes its gradient on only after every value that uses it has passed theirs. This is reverse-mode automatic
 * differentiation (Rumelhart, Hinton and Williams 1986; Baydin et al. 2018, "Automatic differentiation in machine
 * learning: a survey", section 3.2), the same algorithm as the engine's {@code Tensor.backward()}, on scalars.
 *
 * <p>Gradients follow PyTorch's rule: a leaf (a value made with {@code new Value(x)}) accumulates over backward
 * calls until {@link #zeroGrad()}; every other value's gradient belongs to one backward call.
 */
public final class Value {

    private final double data;
    private double grad;
    private final List<Value> children;
    private final String op;
    /** Passes this value's grad to its children's grads (set by the operation that made it). */
    private Runnable backwardStep = () -> { };

    /** A leaf: an input or a parameter. @throws IllegalArgumentException if {@code data} is NaN or infinite */
    public Value(double data) {
        this(data, "", List.of());
    }

    private Value(double data, String op, List<Value> children) {
        if (!Double.isFinite(data)) {
            throw new IllegalArgumentException("Value: " + (op.isEmpty() ? "a leaf" : "the result of " + op + " on "
                    + children) + " is " + data + "; only finite numbers are allowed (check the operation's domain)");
        }
        this.data = data;
        this.op = op;
        this.children = children;
    }

    public double data() {
        return data;
    }

    /** d(output)/d(this) after {@link #backward()} on the output; 0 before. */
    public double grad() {
        return grad;
    }

    /** The values this one was computed from; empty for a leaf. */
    public List<Value> children() {
        return children;
    }

    /** The operation that made this value ("+", "*", "pow 2.0", ...); empty for a leaf. */
    public String op() {
        return op;
    }

    /** Sets the gradient to 0 (for leaves between training steps). */
    public void zeroGrad() {
        grad = 0;
    }

    public Value add(double c) {
        return add(new Value(c));
    }

    public Value mul(double c) {
        return mul(new Value(c));
    }

    /** {@code this + other}; both local derivatives are 1. */
    public Value add(Value other) {
        Value out = new Value(data + other.data, "+", List.of(this, other));
        out.backwardStep = () -> {
            this.grad += out.grad;
            other.grad += out.grad;
        };
        return out;
    }

    /** {@code this · other}; d/dthis = other, d/dother = this. */
    public Value mul(Value other) {
        Value out = new Value(data * other.data, "*", List.of(this, other));
        out.backwardStep = () -> {
            this.grad += other.data * out.grad;
            other.grad += this.data * out.grad;
        };
        return out;
    }

    /**
     * {@code this^p} for a constant p; d/dthis = p·this^(p-1).
     *
     * @throws IllegalArgumentException if the result is not finite (a negative base with a fractional p, 0 to a
     *                                  negative power)
     */
    public Value pow(double p) {
        Value out = new Value(Math.pow(data, p), "pow " + p, List.of(this));
        out.backwardStep = () -> this.grad += p * Math.pow(data, p - 1) * out.grad;
        return out;
    }

    /** {@code e^this}; its derivative is itself. @throws IllegalArgumentException if it overflows */
    public Value exp() {
        Value out = new Value(Math.exp(data), "exp", List.of(this));
        out.backwardStep = () -> this.grad += out.data * out.grad;
        return out;
    }

    /** {@code tanh(this)}; d/dthis = 1 - tanh². */
    public Value tanh() {
        Value out = new Value(Math.tanh(data), "tanh", List.of(this));
        out.backwardStep = () -> this.grad += (1 - out.data * out.data) * out.grad;
        return out;
    }

    /** {@code max(0, this)}; d/dthis = 1 where this > 0, else 0 (0 at 0, as PyTorch). */
    public Value relu() {
        Value out = new Value(Math.max(0, data), "relu", List.of(this));
        out.backwardStep = () -> this.grad += (data > 0 ? 1 : 0) * out.grad;
        return out;
    }

    /** {@code -this}, as {@code this · (-1)}. */
    public Value neg() {
        return mul(-1);
    }

    /** {@code this - other}, as {@code this + (-other)}. */
    public Value sub(Value other) {
        return add(other.neg());
    }

    /** {@code this / other}, as {@code this · other^-1}. @throws IllegalArgumentException if other is 0 */
    public Value div(Value other) {
        return mul(other.pow(-1));
    }

    /**
     * Every value this one depends on, each once, every value after all of its children (leaves first, this
     * last). Iterative depth-first search, so a chain of a million values does not overflow the Java stack.
     */
    public List<Value> topologicalOrder() {
        List<Value> order = new ArrayList<>();
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Value> stack = new ArrayDeque<>();
        Deque<Integer> next = new ArrayDeque<>();
        stack.push(this);
        next.push(0);
        seen.add(this);
        while (!stack.isEmpty()) {
            Value v = stack.peek();
            int i = next.pop();
            if (i < v.children.size()) {
                next.push(i + 1);
                Value c = v.children.get(i);
                if (seen.add(c)) {
                    stack.push(c);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }

    /**
     * Backpropagates from this value: afterwards every value it depends on holds d(this)/d(value) in its grad
     * (added to what a leaf already had). Resets the gradients of the non-leaf values first, so a second backward
     * over a shared sub-graph adds the right amount.
     */
    public void backward() {
        List<Value> order = topologicalOrder();
        for (Value v : order) {
            if (!v.children.isEmpty()) {
                v.grad = 0;
            }
        }
        grad += 1;
        for (int i = order.size() - 1; i >= 0; i--) {
            order.get(i).backwardStep.run();
        }
    }

    @Override
    public String toString() {
        return "Value(data=" + data + ", grad=" + grad + ")";
    }
}
