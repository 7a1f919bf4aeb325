package org.bigmodels.exercises.lesson02;

import java.util.List;

/**
 * Exercise 02.1 (lesson 02-backprop-from-scratch): backpropagation, built by you, on single numbers.
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
 *
 * <p>Given: the fields, the constructors (which refuse NaN and infinity), the accessors, {@code add(double)} and
 * {@code mul(double)}. Yours: each operation, {@link #topologicalOrder()} and {@link #backward()}. An operation
 * makes {@code out} with its children and sets {@code out.backwardStep} to code that adds to each child's
 * {@code grad}, reading {@code out.grad}. Replace each {@code throw} below with your code, then run
 * {@code ./course grade 02}.
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
        throw new UnsupportedOperationException("not implemented yet: Value.add -- the result's data is the sum; its"
                + " backward step passes out.grad unchanged to BOTH inputs. Pitfall: assign (=) instead of add (+=)"
                + " to a child's grad, and a value used twice, as in a.add(a), loses a path");
    }

    /** {@code this · other}; d/dthis = other, d/dother = this. */
    public Value mul(Value other) {
        throw new UnsupportedOperationException("not implemented yet: Value.mul -- each input's local derivative is"
                + " the OTHER input's data; multiply it by out.grad and add it to the input's grad");
    }

    /**
     * {@code this^p} for a constant p; d/dthis = p·this^(p-1).
     *
     * @throws IllegalArgumentException if the result is not finite (a negative base with a fractional p, 0 to a
     *                                  negative power)
     */
    public Value pow(double p) {
        throw new UnsupportedOperationException("not implemented yet: Value.pow -- the power rule, p times this^(p-1),"
                + " times out.grad; p is a constant, so only this gets a gradient");
    }

    /** {@code e^this}; its derivative is itself. @throws IllegalArgumentException if it overflows */
    public Value exp() {
        throw new UnsupportedOperationException("not implemented yet: Value.exp -- the derivative of e^x is e^x"
                + " itself: reuse the result's data");
    }

    /** {@code tanh(this)}; d/dthis = 1 - tanh². */
    public Value tanh() {
        throw new UnsupportedOperationException("not implemented yet: Value.tanh -- d tanh(x)/dx = 1 - tanh(x)^2:"
                + " reuse the result's data");
    }

    /** {@code max(0, this)}; d/dthis = 1 where this > 0, else 0 (0 at 0, as PyTorch). */
    public Value relu() {
        throw new UnsupportedOperationException("not implemented yet: Value.relu -- max(0, x); the gradient passes"
                + " where x > 0 and is 0 elsewhere (also at x = 0)");
    }

    /** {@code -this}, as {@code this · (-1)}. */
    public Value neg() {
        throw new UnsupportedOperationException("not implemented yet: Value.neg -- build it from an operation you"
                + " already have (a multiplication by a constant); no new backward step needed");
    }

    /** {@code this - other}, as {@code this + (-other)}. */
    public Value sub(Value other) {
        throw new UnsupportedOperationException("not implemented yet: Value.sub -- build it from add and neg: the"
                + " backward steps come for free");
    }

    /** {@code this / other}, as {@code this · other^-1}. @throws IllegalArgumentException if other is 0 */
    public Value div(Value other) {
        throw new UnsupportedOperationException("not implemented yet: Value.div -- build it from mul and pow (x / y ="
                + " x * y^-1); dividing by 0 then fails in the constructor, as it should");
    }

    /**
     * Every value this one depends on, each once, every value after all of its children (leaves first, this
     * last). Iterative depth-first search, so a chain of a million values does not overflow the Java stack.
     */
    public List<Value> topologicalOrder() {
        throw new UnsupportedOperationException("not implemented yet: Value.topologicalOrder -- depth-first search"
                + " from this value, adding a value to the list after all its children, each value once (keep a set"
                + " of visited values). Pitfall: a recursive search overflows the Java stack on a chain of 100,000"
                + " values; keep your own stack (a Deque) instead");
    }

    /**
     * Backpropagates from this value: afterwards every value it depends on holds d(this)/d(value) in its grad
     * (added to what a leaf already had). Resets the gradients of the non-leaf values first, so a second backward
     * over a shared sub-graph adds the right amount.
     */
    public void backward() {
        throw new UnsupportedOperationException("not implemented yet: Value.backward -- the chain rule applied in"
                + " reverse topological order, so a value's grad is complete before it is passed on. Pitfall: the"
                + " order of resets matters: leaf gradients accumulate across calls, intermediate ones must start"
                + " from 0 on each call");
    }

    @Override
    public String toString() {
        return "Value(data=" + data + ", grad=" + grad + ")";
    }
}
