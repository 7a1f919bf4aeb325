package org.bigmodels.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A node of the computation graph: an ND4J array ({@link #value()}), the gradient of the loss with respect to it
 * ({@link #grad()}), and how to pass a gradient back to the tensors it was made from.
 *
 * <p>This is the whole reverse-mode engine, micrograd-style: every operation (in {@link Ops}) computes its value and
 * stores a {@link Backward} closure; {@link #backward()} visits the graph in reverse topological order and calls
 * each closure once. Gradients are accumulated (a tensor used twice gets both contributions). Taught step by step in
 * 02-backprop-from-scratch; every later part (parallelism, pruning, quantization, distillation) trains on it.
 *
 * <p>Repeated backward passes follow PyTorch: a leaf's gradient (a parameter's) accumulates over calls until
 * {@link #zeroGrad()}, so two losses back-propagated one after the other give the gradient of their sum; the gradient
 * of an intermediate node is per call (cleared at the start of every pass that reaches it), so a sub-graph shared by
 * two losses, or a loss back-propagated twice, passes on only the current call's gradient.
 *
 * <p>Aliasing: {@link #of}, {@link #param} and {@link #setValue} wrap the array they are given (no copy);
 * {@link #value()} and {@link #grad()} return the live arrays. {@link #detach()} and every op in {@link Ops} (with the
 * exceptions listed there) return fresh arrays that no later in-place update of an input can reach.
 *
 * <p>The fluent methods below ({@code x.matmul(w).add(b).relu()}) are shorthands for {@link Ops}.
 */
public class Tensor {

    /** Passes the gradient of the loss with respect to this tensor's value on to its inputs. */
    @FunctionalInterface
    public interface Backward {
        void apply(INDArray gradOut);
    }

    private static final ThreadLocal<Boolean> GRAD_ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private INDArray value;
    private INDArray grad;
    // invariant: grad, when set, was allocated for this tensor alone (see accumulate), so it may be added to in place
    private final boolean requiresGrad;
    private final Tensor[] parents;
    private final Backward backward;
    private final String op;
    private String name;
    private List<Consumer<Tensor>> gradReadyHooks; // null until a hook is added (see onGradReady)

    /** A leaf: data ({@code requiresGrad=false}) or a parameter ({@code requiresGrad=true}). */
    public Tensor(INDArray value, boolean requiresGrad) {
        this(value, requiresGrad, new Tensor[0], null, "leaf");
    }

    Tensor(INDArray value, boolean requiresGrad, Tensor[] parents, Backward backward, String op) {
        if (value == null) {
            throw new IllegalArgumentException("Tensor: expected an INDArray value, got null");
        }
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.parents = parents;
        this.backward = backward;
        this.op = op;
    }

    /** A constant (no gradient is computed for it): inputs, targets, masks. Wraps {@code value} (no copy). */
    public static Tensor of(INDArray value) {
        return new Tensor(value, false);
    }

    /**
     * A trainable leaf whose gradient backward() fills in. Wraps {@code value} (no copy): optimizers update that
     * array in place.
     */
    public static Tensor param(INDArray value) {
        return new Tensor(value, true);
    }

    /** A scalar constant in the given type. */
    public static Tensor scalar(double v, DataType type) {
        return of(Nd4j.scalar(type, v));
    }

    /**
     * Defines a new differentiable operation outside this package (fake quantization, a pruning mask, a
     * communication step): {@code value} is the op's output, {@code backward} receives dLoss/dOutput and must call
     * {@link #accumulateGrad} on each input that {@link #requiresGrad()}. The engine's own ops in {@link Ops} are
     * written exactly this way.
     *
     * @throws IllegalArgumentException when backward is null (the inputs would silently get no gradient)
     */
    public static Tensor fromOp(String name, INDArray value, Backward backward, Tensor... inputs) {
        if (backward == null) {
            throw new IllegalArgumentException("fromOp('" + name + "'): expected a backward rule, got null; an op "
                    + "without a gradient is a constant: wrap its value with Tensor.of(value)");
        }
        return result(value, name, backward, inputs);
    }

    /**
     * Adds a gradient contribution to this tensor (a copy is kept; {@code g} is not modified later). For use in the
     * backward of an op defined with {@link #fromOp}.
     */
    public void accumulateGrad(INDArray g) {
        accumulate(g, false);
    }

    /**
     * Makes a node from the result of an op. When gradients are off ({@link #noGrad()}) or no input needs one, the
     * node remembers nothing, so inference builds no graph.
     */
    static Tensor result(INDArray value, String op, Backward backward, Tensor... inputs) {
        if (!isGradEnabled()) {
            return new Tensor(value, false, new Tensor[0], null, op);
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad) {
                return new Tensor(value, true, inputs, backward, op);
            }
        }
        return new Tensor(value, false, new Tensor[0], null, op);
    }

    // ------------------------------------------------------------------ gradient mode

    /** Whether ops on this thread record the graph. */
    public static boolean isGradEnabled() {
        return GRAD_ENABLED.get();
    }

    /**
     * Turns graph recording off until closed: {@code try (var off = Tensor.noGrad()) { ... }}. Used for evaluation,
     * sampling and optimizer updates.
     */
    public static NoGradScope noGrad() {
        return setGradEnabled(false);
    }

    /** Sets the gradient mode; closing the returned handle restores the previous one. */
    public static NoGradScope setGradEnabled(boolean enabled) {
        boolean previous = GRAD_ENABLED.get();
        GRAD_ENABLED.set(enabled);
        return new NoGradScope(previous);
    }

    /** Restores the previous gradient mode on close (never throws). */
    public static final class NoGradScope implements AutoCloseable {
        private final boolean previous;

        private NoGradScope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            GRAD_ENABLED.set(previous);
        }
    }

    // ------------------------------------------------------------------ backward

    /** Backpropagates from a scalar (a loss): d(this)/d(this) = 1. */
    public void backward() {
        if (value.length() != 1) {
            throw new ShapeException("backward", "a scalar (e.g. a loss) or backward(gradient)",
                    "shape " + Arrays.toString(value.shape()));
        }
        backward(Arena.alloc(value.dataType(), value.shape()).assign(1.0));
    }

    /**
     * Backpropagates a given gradient of the same shape as this tensor's value. Leaves add this call's gradient to
     * what they hold; every intermediate node this call reaches starts from zero (and afterwards holds this call's
     * gradient, for inspection).
     */
    public void backward(INDArray seed) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not depend on any parameter "
                    + "(made under noGrad(), or from constants only), so there is nothing to differentiate");
        }
        if (!Arrays.equals(seed.shape(), value.shape())) {
            throw new ShapeException("backward", "a seed gradient of shape " + Arrays.toString(value.shape()),
                    Arrays.toString(seed.shape()));
        }
        List<Tensor> order = topologicalOrder();
        for (Tensor t : order) {
            // an intermediate gradient left by an earlier pass over a shared sub-graph must not be passed on again
            if (t.backward != null) t.zeroGrad();
        }
        accumulate(seed.castTo(value.dataType()), false);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backward != null && t.grad != null) {
                t.backward.apply(t.grad);
            } else if (t.backward == null && t.gradReadyHooks != null) {
                // a leaf comes after every op that uses it in reverse topological order: its gradient is final
                for (Consumer<Tensor> hook : List.copyOf(t.gradReadyHooks)) hook.accept(t);
            }
        }
    }

    /**
     * Calls {@code hook} with this leaf during every {@link #backward} that reaches it, as soon as its gradient is
     * final for that pass: after the last op that uses it has passed its contribution back, before the ops that come
     * later in reverse topological order. The hook sees {@link #grad()} with this pass's contribution added (the sum
     * since the last {@link #zeroGrad()}); it runs on the thread of backward and may read the gradient, copy it or
     * hand it to another thread, but must not change the graph. Data parallelism starts its gradient all-reduce here
     * while backward goes on (PyTorch's {@code register_post_accumulate_grad_hook}; Li et al., "PyTorch Distributed",
     * VLDB 2020, section 3.2.3). Hooks run in the order added.
     *
     * @return a handle: run it to remove the hook
     * @throws IllegalStateException if this tensor is not a leaf that requires a gradient (a parameter)
     */
    public Runnable onGradReady(Consumer<Tensor> hook) {
        if (!requiresGrad || backward != null || parents.length != 0) {
            throw new IllegalStateException("onGradReady: expected a parameter (a leaf that requires a gradient), got "
                    + "a " + (requiresGrad ? "result of " + op : "constant") + "; add hooks to model.parameters()");
        }
        if (hook == null) throw new IllegalArgumentException("onGradReady: expected a hook, got null");
        if (gradReadyHooks == null) gradReadyHooks = new ArrayList<>();
        gradReadyHooks.add(hook);
        return () -> gradReadyHooks.remove(hook);
    }

    /** Every tensor this one depends on (that needs a gradient), inputs before the ops that use them. */
    public List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // iterative DFS: a deep graph (a long sequence) must not overflow the Java stack
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        seen.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            if (next < t.parents.length) {
                frame[1] = next + 1;
                Tensor p = t.parents[next];
                if (p.requiresGrad && seen.add(p)) {
                    stack.push(new Object[] {p, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /**
     * Adds {@code g} to this tensor's gradient. {@code fresh} says that {@code g} was allocated for this call alone,
     * so it can become the gradient without a copy; otherwise it is copied before anything is added to it.
     */
    void accumulate(INDArray g, boolean fresh) {
        if (!requiresGrad) {
            return;
        }
        if (!Arrays.equals(g.shape(), value.shape())) {
            throw new IllegalStateException("internal: gradient of shape " + Arrays.toString(g.shape())
                    + " for a value of shape " + Arrays.toString(value.shape()) + " (op " + op + ")");
        }
        if (grad == null) {
            // a borrowed g (fresh = false) is copied: grad is later added to in place, and so may be the
            // array that g belongs to (another node's gradient, a caller's seed)
            grad = fresh ? g : Ops.plainCopy(g);
        } else {
            grad.addi(g);
        }
    }

    /** Whether backward() reaches this tensor, i.e. it needs a gradient. */
    boolean needsGrad() {
        return requiresGrad;
    }

    /** Forgets the gradient (before the next backward pass). */
    public void zeroGrad() {
        grad = null;
    }

    // ------------------------------------------------------------------ accessors

    /** The live value (not a copy): writing into it changes this tensor. */
    public INDArray value() {
        return value;
    }

    /**
     * The live gradient (not a copy), or null if no backward() reached this tensor. For a leaf: the sum over the
     * backward() calls since the last {@link #zeroGrad()}; for an intermediate node: the last call's gradient.
     */
    public INDArray grad() {
        return grad;
    }

    /**
     * Whether backward() computes a gradient for this tensor: true for a parameter ({@link #param}) and for an
     * op's result that depends on one while gradients are on; false for constants ({@link #of}) and under
     * {@link #noGrad()}.
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Replaces the value of a leaf by {@code newValue} itself (no copy; optimizers, checkpoints, the DL4J bridge).
     */
    public void setValue(INDArray newValue) {
        if (parents.length != 0) {
            throw new IllegalStateException("setValue: only leaves (parameters, inputs) can be replaced, this is the "
                    + "output of " + op);
        }
        if (!Arrays.equals(newValue.shape(), value.shape())) {
            throw new ShapeException("setValue", "shape " + Arrays.toString(value.shape()),
                    Arrays.toString(newValue.shape()));
        }
        this.value = newValue;
    }

    /** The name of the op that made this tensor ("leaf" for inputs and parameters). */
    public String op() {
        return op;
    }

    /** The tensors this one was computed from (empty for leaves and for results made without gradients). */
    public List<Tensor> inputs() {
        return List.of(parents);
    }

    /** The name given with {@link #named}, or null (shown by {@link #toString()}). */
    public String name() {
        return name;
    }

    /** Sets this tensor's name (for printing and debugging; null clears it) and returns this tensor itself. */
    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    /** The shape of the value, e.g. [B, T, C] ([] for a rank-0 scalar); treat the array as read-only. */
    public long[] shape() {
        return value.shape();
    }

    /** The number of axes (0 for a scalar, 3 for [B, T, C]). */
    public int rank() {
        return value.rank();
    }

    /** The size of axis {@code dim} (negative counts from the end, as in ND4J: -1 is the last axis). */
    public long size(int dim) {
        return value.size(dim);
    }

    /** The element type of the value (FLOAT, DOUBLE, ...); binary ops require both inputs to share it. */
    public DataType dataType() {
        return value.dataType();
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (value.length() != 1) {
            throw new ShapeException("item", "a one-element tensor", Arrays.toString(value.shape()));
        }
        return value.getDouble(0);
    }

    /**
     * A constant copy of the value (a fresh row-major array), cut from the graph: later in-place updates of this
     * tensor (an optimizer step) do not reach it, and writing into it does not change this tensor. (PyTorch's
     * {@code detach()} shares memory; this one is {@code detach().clone()}.) The copy is made outside any
     * {@link Arena}, so it is the way to keep a result across {@link org.bigmodels.train.Trainer} steps.
     */
    public Tensor detach() {
        return of(value.dup('c'));
    }

    @Override
    public String toString() {
        return "Tensor(" + (name != null ? name + ", " : "") + "op=" + op + ", shape=" + Arrays.toString(shape())
                + ", " + dataType() + (requiresGrad ? ", requiresGrad" : "") + ")\n" + value;
    }

    // ------------------------------------------------------------------ fluent shorthands for Ops

    /** Shorthand for {@link Ops#matmul(Tensor, Tensor)}. */
    public Tensor matmul(Tensor other) { return Ops.matmul(this, other); }
    /** Shorthand for {@link Ops#add(Tensor, Tensor)}. */
    public Tensor add(Tensor other) { return Ops.add(this, other); }
    /** Shorthand for {@link Ops#sub(Tensor, Tensor)}. */
    public Tensor sub(Tensor other) { return Ops.sub(this, other); }
    /** Shorthand for {@link Ops#mul(Tensor, Tensor)}. */
    public Tensor mul(Tensor other) { return Ops.mul(this, other); }
    /** Shorthand for {@link Ops#div(Tensor, Tensor)}. */
    public Tensor div(Tensor other) { return Ops.div(this, other); }
    /** Shorthand for {@link Ops#addScalar(Tensor, double)}. */
    public Tensor add(double c) { return Ops.addScalar(this, c); }
    /** Shorthand for {@link Ops#scale(Tensor, double)}. */
    public Tensor mul(double c) { return Ops.scale(this, c); }
    /** Shorthand for {@link Ops#scale(Tensor, double)} by -1: {@code -a}. */
    public Tensor neg() { return Ops.scale(this, -1.0); }
    /** Shorthand for {@link Ops#pow(Tensor, double)}. */
    public Tensor pow(double p) { return Ops.pow(this, p); }
    /** Shorthand for {@link Ops#sum(Tensor)}. */
    public Tensor sum() { return Ops.sum(this); }
    /** Shorthand for {@link Ops#sum(Tensor, boolean, int...)}. */
    public Tensor sum(boolean keepDims, int... axes) { return Ops.sum(this, keepDims, axes); }
    /** Shorthand for {@link Ops#mean(Tensor)}. */
    public Tensor mean() { return Ops.mean(this); }
    /** Shorthand for {@link Ops#mean(Tensor, boolean, int...)}. */
    public Tensor mean(boolean keepDims, int... axes) { return Ops.mean(this, keepDims, axes); }
    /** Shorthand for {@link Ops#reshape(Tensor, long...)}. */
    public Tensor reshape(long... shape) { return Ops.reshape(this, shape); }
    /** Shorthand for {@link Ops#transpose(Tensor, int, int)}. */
    public Tensor transpose(int dim0, int dim1) { return Ops.transpose(this, dim0, dim1); }
    /** Shorthand for {@link Ops#transpose(Tensor, int, int)} of axes 0 and 1: the transpose of a matrix. */
    public Tensor T() { return Ops.transpose(this, 0, 1); }
    /** Shorthand for {@link Ops#split(Tensor, int, long...)}. */
    public List<Tensor> split(int axis, long... sizes) { return Ops.split(this, axis, sizes); }
    /** Shorthand for {@link Ops#relu(Tensor)}. */
    public Tensor relu() { return Ops.relu(this); }
    /** Shorthand for {@link Ops#gelu(Tensor)}. */
    public Tensor gelu() { return Ops.gelu(this); }
    /** Shorthand for {@link Ops#tanh(Tensor)}. */
    public Tensor tanh() { return Ops.tanh(this); }
    /** Shorthand for {@link Ops#sigmoid(Tensor)}. */
    public Tensor sigmoid() { return Ops.sigmoid(this); }
    /** Shorthand for {@link Ops#exp(Tensor)}. */
    public Tensor exp() { return Ops.exp(this); }
    /** Shorthand for {@link Ops#log(Tensor)}. */
    public Tensor log() { return Ops.log(this); }
    /** Shorthand for {@link Ops#softmax(Tensor)}. */
    public Tensor softmax() { return Ops.softmax(this); }
    /** Shorthand for {@link Ops#logSoftmax(Tensor)}. */
    public Tensor logSoftmax() { return Ops.logSoftmax(this); }
}
