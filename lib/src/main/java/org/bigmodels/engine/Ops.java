package org.bigmodels.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.ThresholdReluBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The differentiable operations. Each one is a forward computation on ND4J arrays followed, right below it, by its
 * backward rule: given {@code g = dLoss/dOut}, add {@code dLoss/dInput} to each input. Shapes are checked here,
 * before ND4J is called, so a mistake is a {@link ShapeException} naming the op and both shapes.
 *
 * <p>Conventions: the last axis is the feature axis; broadcasting follows NumPy's rules; every result is a fresh
 * row-major array that shares no memory with any input (so an in-place update of an input, such as an optimizer
 * step on a parameter, never reaches it). {@link #reshape} included: it copies, unlike ND4J's and PyTorch's
 * {@code reshape}, which may return a view. The one exception: {@link #dropout} with p = 0 returns its input tensor
 * itself (the identity, no graph node).
 *
 * <p>Inside {@link org.bigmodels.train.Trainer} a step's results come from its {@link Arena} and are overwritten
 * by the next step: a result kept across steps (a teacher's targets computed once, a running statistic) must be
 * copied out with {@link Tensor#detach()}, whose copy lives outside the arena.
 *
 * <p>Constants are finite: {@link #addScalar}, {@link #scale}, {@link #pow}, {@link #layerNorm}'s eps and
 * {@link #dropout}'s p refuse NaN and infinity with an {@link IllegalArgumentException} (ND4J would silently use
 * 1e-5 for a NaN constant). NaN and infinity in the tensors themselves follow IEEE arithmetic. Taught in 02-backprop-from-scratch (elementwise, reductions, matmul), 03-mlp-mnist (losses) and
 * 04-tiny-gpt (layer norm, embedding, softmax, causal mask, split/concat).
 */
public final class Ops {
    private Ops() {}

    // =================================================================== matrix product

    /**
     * Matrix product on the last two axes: [m,k]·[k,n]; [..., m,k]·[k,n] (a batch of rows times one matrix, as in a
     * linear layer applied to [B,T,C]); or [..., m,k]·[..., k,n] with equal leading axes (batched, as in attention).
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        INDArray av = a.value(), bv = b.value();
        sameType("matmul", a, b);
        if (av.rank() < 2 || bv.rank() < 2 || av.size(-1) != bv.size(-2)
                || (bv.rank() > 2 && !Arrays.equals(lead(av), lead(bv)))) {
            throw new ShapeException("matmul", "[..., m, k] x [k, n] or [..., m, k] x [..., k, n] with equal leading axes",
                    Arrays.toString(av.shape()) + " x " + Arrays.toString(bv.shape()));
        }
        if (bv.rank() == 2) {
            INDArray a2 = rows(av);
            INDArray out2 = Gemm.mm(a2, false, bv, false);
            long[] outShape = av.shape().clone();
            outShape[outShape.length - 1] = bv.size(1);
            return Tensor.result(out2.reshape('c', outShape), "matmul", g -> {
                INDArray g2 = rows(g);
                if (a.needsGrad()) a.accumulate(Gemm.mm(g2, false, bv, true).reshape('c', av.shape()), true);
                if (b.needsGrad()) b.accumulate(Gemm.mm(a2, true, g2, false), true);
            }, a, b);
        }
        INDArray out = BatchedGemm.mm(av, false, bv, false);
        return Tensor.result(out, "matmul", g -> {
            if (a.needsGrad()) a.accumulate(BatchedGemm.mm(g, false, bv, true), true);
            if (b.needsGrad()) b.accumulate(BatchedGemm.mm(av, true, g, false), true);
        }, a, b);
    }

    /**
     * {@code x·w + b}, the affine map of a linear layer, in one op: the bias is copied into the result first and the
     * product added on top, so there is no separate broadcast add. x is [..., in], w is [in, out], b is [out].
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        INDArray xv = x.value(), wv = w.value();
        sameType("linear", x, w);
        if (xv.rank() < 2 || wv.rank() != 2 || xv.size(-1) != wv.size(0)
                || (b != null && (b.rank() != 1 || b.size(0) != wv.size(1)))) {
            throw new ShapeException("linear", "x [..., in], w [in, out], b [out]", "x " + Arrays.toString(xv.shape())
                    + ", w " + Arrays.toString(wv.shape()) + (b == null ? "" : ", b " + Arrays.toString(b.shape())));
        }
        INDArray x2 = rows(xv);
        long m = x2.size(0), n = wv.size(1);
        INDArray out2 = Arena.alloc(xv.dataType(), m, n);
        if (b != null) {
            sameType("linear", x, b);
            if (!RowKernels.fillRows(out2, b.value())) {
                // every row starts as the bias: ones[m,1]·b[1,n] (a rank-1 product, cheaper than a broadcast copy)
                Gemm.mm(ones(xv.dataType(), m).reshape(m, 1), false, b.value().reshape(1, n), false, out2, 1.0, 0.0);
            }
        }
        Gemm.mm(x2, false, wv, false, out2, 1.0, b == null ? 0.0 : 1.0);
        long[] outShape = xv.shape().clone();
        outShape[outShape.length - 1] = wv.size(1);
        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        return Tensor.result(xv.rank() == 2 ? out2 : out2.reshape('c', outShape), "linear", g -> {
            INDArray g2 = rows(g);
            if (x.needsGrad()) {
                INDArray dx = Gemm.mm(g2, false, wv, true);
                x.accumulate(xv.rank() == 2 ? dx : dx.reshape('c', xv.shape()), true);
            }
            if (w.needsGrad()) w.accumulate(Gemm.mm(x2, true, g2, false), true);
            if (b != null && b.needsGrad()) {
                INDArray db = Arena.alloc(g.dataType(), n);
                Gemm.columnSums(g2, db); // the bias gradient: g summed over the rows
                b.accumulate(db, true);
            }
        }, inputs);
    }

    // =================================================================== elementwise, with broadcasting

    /**
     * {@code a + b} elementwise, with NumPy broadcasting: shapes aligned on the right, each pair of sizes equal or one
     * of them 1 (a bias [C] against [..., C], a column [..., 1] against [..., C]); the result has the broadcast
     * shape and a's data type.
     * Backward: g to each input, summed over the axes it was broadcast along.
     *
     * @throws IllegalArgumentException when a and b have different data types
     * @throws ShapeException when the shapes do not broadcast (a pair of sizes differs and neither is 1)
     */
    public static Tensor add(Tensor a, Tensor b) {
        long[] shape = broadcastShape("add", a, b);
        INDArray out = Arena.alloc(a.dataType(), shape);
        Nd4j.exec(new AddOp(new INDArray[] {a.value(), b.value()}, new INDArray[] {out}));
        return Tensor.result(out, "add", g -> {
            a.accumulate(unbroadcast(g, a.shape()), !Arrays.equals(g.shape(), a.shape()));
            b.accumulate(unbroadcast(g, b.shape()), !Arrays.equals(g.shape(), b.shape()));
        }, a, b);
    }

    /**
     * {@code a - b} elementwise, with NumPy broadcasting: shapes aligned on the right, each pair of sizes equal or one
     * of them 1 (a bias [C] against [..., C], a column [..., 1] against [..., C]); the result has the broadcast
     * shape and a's data type.
     * Backward: g to a and −g to b, each summed over the axes it was broadcast along.
     *
     * @throws IllegalArgumentException when a and b have different data types
     * @throws ShapeException when the shapes do not broadcast (a pair of sizes differs and neither is 1)
     */
    public static Tensor sub(Tensor a, Tensor b) {
        long[] shape = broadcastShape("sub", a, b);
        INDArray out = Arena.alloc(a.dataType(), shape);
        Nd4j.exec(new SubOp(new INDArray[] {a.value(), b.value()}, new INDArray[] {out}));
        return Tensor.result(out, "sub", g -> {
            a.accumulate(unbroadcast(g, a.shape()), !Arrays.equals(g.shape(), a.shape()));
            if (b.needsGrad()) b.accumulate(unbroadcast(g, b.shape()).neg(), true);
        }, a, b);
    }

    /**
     * {@code a · b} elementwise, with NumPy broadcasting: shapes aligned on the right, each pair of sizes equal or one
     * of them 1 (a bias [C] against [..., C], a column [..., 1] against [..., C]); the result has the broadcast
     * shape and a's data type.
     * Backward: g·b to a and g·a to b, each summed over the axes it was broadcast along.
     *
     * @throws IllegalArgumentException when a and b have different data types
     * @throws ShapeException when the shapes do not broadcast (a pair of sizes differs and neither is 1)
     */
    public static Tensor mul(Tensor a, Tensor b) {
        long[] shape = broadcastShape("mul", a, b);
        INDArray out = bmul(a.value(), b.value(), shape);
        return Tensor.result(out, "mul", g -> {
            if (a.needsGrad()) a.accumulate(unbroadcast(bmul(g, b.value(), g.shape()), a.shape()), true);
            if (b.needsGrad()) b.accumulate(unbroadcast(bmul(g, a.value(), g.shape()), b.shape()), true);
        }, a, b);
    }

    /**
     * {@code a / b} elementwise, with NumPy broadcasting: shapes aligned on the right, each pair of sizes equal or one
     * of them 1 (a bias [C] against [..., C], a column [..., 1] against [..., C]); the result has the broadcast
     * shape and a's data type.
     * Backward: g/b to a and −g·a/b² to b, each summed over the axes it was broadcast along.
     * Division by zero follows IEEE arithmetic (±infinity or NaN, no exception).
     *
     * @throws IllegalArgumentException when a and b have different data types
     * @throws ShapeException when the shapes do not broadcast (a pair of sizes differs and neither is 1)
     */
    public static Tensor div(Tensor a, Tensor b) {
        long[] shape = broadcastShape("div", a, b);
        INDArray out = bdiv(a.value(), b.value(), shape);
        return Tensor.result(out, "div", g -> {
            INDArray gOverB = bdiv(g, b.value(), g.shape());
            if (a.needsGrad()) a.accumulate(unbroadcast(gOverB, a.shape()), true);
            // d(a/b)/db = -a/b^2 = -(a/b)/b
            if (b.needsGrad()) b.accumulate(unbroadcast(bmul(gOverB, out, g.shape()).negi(), b.shape()), true);
        }, a, b);
    }

    /**
     * {@code a + c}.
     *
     * @throws IllegalArgumentException when c is NaN or infinite (see the class comment)
     */
    public static Tensor addScalar(Tensor a, double c) {
        finite("add", "scalar", c);
        return Tensor.result(a.value().add(c), "add", g -> a.accumulate(g, false), a);
    }

    /**
     * {@code c · a}.
     *
     * @throws IllegalArgumentException when c is NaN or infinite (see the class comment)
     */
    public static Tensor scale(Tensor a, double c) {
        finite("scale", "factor", c);
        return Tensor.result(a.value().mul(c, like(a.value())), "scale", g -> a.accumulate(g.mul(c, like(g)), true), a);
    }

    /**
     * {@code a^p} elementwise; its gradient {@code p·a^(p-1)} is 0 everywhere for p = 0 (also at a = 0).
     *
     * @throws IllegalArgumentException when p is NaN or infinite (see the class comment)
     */
    public static Tensor pow(Tensor a, double p) {
        finite("pow", "exponent", p);
        INDArray x = a.value();
        return Tensor.result(Transforms.pow(x, p, true), "pow", g -> {
            if (p == 0) a.accumulate(like(x).assign(0.0), true); // d/dx x^0 = 0 (0·x^-1 would be NaN at x = 0)
            else a.accumulate(Transforms.pow(x, p - 1, true).muli(p).muli(g), true);
        }, a);
    }

    // =================================================================== activations and elementwise functions

    /**
     * {@code max(a, 0)} elementwise; any shape, the result has a's shape and type. Backward: g where a > 0,
     * else 0 (the subgradient 0 at a = 0).
     */
    public static Tensor relu(Tensor a) {
        INDArray x = a.value();
        INDArray out = Arena.alloc(x.dataType(), x.shape());
        Nd4j.exec(new RectifiedLinear(x, out, 0.0));
        return Tensor.result(out, "relu", g -> {
            INDArray gx = Arena.alloc(g.dataType(), g.shape());
            if (!Loops.reluBackward(out, g, gx)) {
                Nd4j.exec(new ThresholdReluBp(x, g, gx, 0.0)); // g where x > 0, else 0
            }
            a.accumulate(gx, true);
        }, a);
    }

    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    /**
     * GELU in the tanh form used by GPT-2: {@code 0.5 x (1 + tanh(c (x + 0.044715 x^3)))}, c = sqrt(2/pi).
     */
    public static Tensor gelu(Tensor a) {
        INDArray given = a.value();
        // a FLOAT view or column-major array is copied to row-major first, so every layout gets the same kernel (and
        // the same rounding) as a plain array
        INDArray x = given.dataType() == DataType.FLOAT && Gemm.direct() && !Gemm.isPlainRowMajor(given)
                ? given.dup('c') : given;
        if (!RowKernels.usable(x)) return geluNd4j(a);
        // one Java loop each way (RowKernels.geluForward / geluBackward), the formula above
        float[] xv = RowKernels.read(x), t = Arena.floats(xv.length);
        INDArray out = RowKernels.write(RowKernels.geluForward(xv, t), like(x));
        return Tensor.result(out, "gelu", g -> {
            float[] gv = RowKernels.readScratch(0, Gemm.isPlainRowMajor(g) ? g : g.dup('c'));
            a.accumulate(RowKernels.write(RowKernels.geluBackward(gv, xv, t), like(x)), true);
        }, a);
    }

    /** {@link #gelu} as a chain of ND4J ops: other backends and types, and the reference of the Java loop. */
    static Tensor geluNd4j(Tensor a) {
        INDArray x = a.value();
        INDArray x2 = x.mul(x, like(x));
        // tanh(u) = 2 sigmoid(2u) - 1: ND4J's sigmoid is about twice as fast as its tanh
        INDArray u2 = x2.mul(0.044715, like(x)).addi(1.0).muli(x).muli(2 * GELU_C);
        INDArray t = Transforms.sigmoid(u2, false).muli(2.0).subi(1.0);
        INDArray out = t.add(1.0, like(x)).muli(x).muli(0.5);
        return Tensor.result(out, "gelu", g -> {
            // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)
            INDArray d = t.mul(t, like(x)).rsubi(1.0);
            d.muli(x2.mul(3 * 0.044715, like(x)).addi(1.0).muli(GELU_C)).muli(x).muli(0.5);
            d.addi(t.add(1.0, like(x)).muli(0.5));
            a.accumulate(d.muli(g), true);
        }, a);
    }

    /**
     * {@code tanh(a)} elementwise; any shape, the result has a's shape and type. Backward: g·(1 − tanh²(a)).
     */
    public static Tensor tanh(Tensor a) {
        INDArray out = Transforms.tanh(a.value(), true);
        return Tensor.result(out, "tanh", g -> a.accumulate(out.mul(out).rsubi(1.0).muli(g), true), a);
    }

    /**
     * The logistic sigmoid {@code σ(a) = 1 / (1 + e^-a)} elementwise; any shape, the result has a's shape and type.
     * Backward: g·σ(a)·(1 − σ(a)).
     */
    public static Tensor sigmoid(Tensor a) {
        INDArray out = Transforms.sigmoid(a.value(), true);
        return Tensor.result(out, "sigmoid", g -> a.accumulate(out.rsub(1.0).muli(out).muli(g), true), a);
    }

    /**
     * {@code e^a} elementwise; any shape, the result has a's shape and type (overflow gives infinity, IEEE).
     * Backward: g·e^a.
     */
    public static Tensor exp(Tensor a) {
        INDArray out = Transforms.exp(a.value(), true);
        return Tensor.result(out, "exp", g -> a.accumulate(out.mul(g), true), a);
    }

    /**
     * The natural logarithm elementwise; any shape, the result has a's shape and type. Follows IEEE arithmetic,
     * no exception: log 0 = −infinity, log of a negative number = NaN. Backward: g/a.
     */
    public static Tensor log(Tensor a) {
        INDArray x = a.value();
        return Tensor.result(Transforms.log(x, true), "log", g -> a.accumulate(g.div(x), true), a);
    }

    // =================================================================== reductions

    /** Sum of all elements, a scalar. */
    public static Tensor sum(Tensor a) {
        INDArray x = a.value();
        return Tensor.result(Nd4j.scalar(x.dataType(), x.sumNumber().doubleValue()), "sum",
                g -> a.accumulate(Nd4j.valueArrayOf(x.shape(), g.getDouble(0), x.dataType()), true), a);
    }

    /** Sum over the given axes (negative counts from the end). */
    public static Tensor sum(Tensor a, boolean keepDims, int... axes) {
        int[] ax = axes(a, "sum", axes);
        INDArray out = a.value().sum(keepDims, ax);
        return Tensor.result(out, "sum", g -> a.accumulate(expand(g, a.shape(), ax, 1.0), true), a);
    }

    /** Mean of all elements, a scalar. */
    public static Tensor mean(Tensor a) {
        INDArray x = a.value();
        long n = x.length();
        if (n == 0) {
            throw new ShapeException("mean", "a tensor with at least one element (the mean of nothing is undefined)",
                    Arrays.toString(x.shape()));
        }
        return Tensor.result(Nd4j.scalar(x.dataType(), x.sumNumber().doubleValue() / n), "mean",
                g -> a.accumulate(Nd4j.valueArrayOf(x.shape(), g.getDouble(0) / n, x.dataType()), true), a);
    }

    /** Mean over the given axes (negative counts from the end). */
    public static Tensor mean(Tensor a, boolean keepDims, int... axes) {
        int[] ax = axes(a, "mean", axes);
        long n = 1;
        for (int d : ax) n *= a.size(d);
        if (n == 0) {
            throw new ShapeException("mean", "reduced axes of size >= 1 (the mean of nothing is undefined)",
                    "axes " + Arrays.toString(ax) + " of shape " + Arrays.toString(a.shape()));
        }
        double inv = 1.0 / n;
        INDArray out = a.value().mean(keepDims, ax);
        return Tensor.result(out, "mean", g -> a.accumulate(expand(g, a.shape(), ax, inv), true), a);
    }

    // =================================================================== shape

    /**
     * The same elements in a new shape (row-major order); one size may be -1. Always a copy (see the class comment):
     * the reshape of a parameter does not follow the parameter's later updates.
     */
    public static Tensor reshape(Tensor a, long... shape) {
        long[] target = inferShape(a, shape);
        INDArray x = a.value();
        INDArray out = Arena.alloc(x.dataType(), target);
        copyRowMajor(x, out);
        return Tensor.result(out, "reshape", g -> a.accumulate(g.reshape('c', x.shape()), false), a);
    }

    /** Swaps two axes (a copy in row-major order, so the next op reads memory in order). */
    public static Tensor transpose(Tensor a, int dim0, int dim1) {
        int r = a.rank();
        int d0 = dim0 < 0 ? dim0 + r : dim0, d1 = dim1 < 0 ? dim1 + r : dim1;
        if (d0 < 0 || d0 >= r || d1 < 0 || d1 >= r) {
            throw new ShapeException("transpose", "two axes in [-" + r + ", " + r + ")",
                    "axes " + dim0 + ", " + dim1 + " of shape " + Arrays.toString(a.shape()));
        }
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[d0] = d1;
        perm[d1] = d0;
        INDArray out = plainCopy(a.value().permute(perm));
        return Tensor.result(out, "transpose", g -> a.accumulate(plainCopy(g.permute(perm)), true), a);
    }

    /** Joins tensors along an axis; all other sizes must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: expected at least one tensor, got none");
        Tensor first = parts[0];
        int ax = axis < 0 ? axis + first.rank() : axis;
        INDArray[] values = new INDArray[parts.length];
        long[] offsets = new long[parts.length + 1];
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            sameType("concat", first, p);
            long[] s = p.shape();
            boolean ok = s.length == first.rank() && ax >= 0 && ax < s.length;
            for (int d = 0; ok && d < s.length; d++) ok = d == ax || s[d] == first.size(d);
            if (!ok) {
                throw new ShapeException("concat", "tensors whose shapes agree except on axis " + axis,
                        Arrays.toString(first.shape()) + " and " + Arrays.toString(s) + " (part " + i + ")");
            }
            values[i] = p.value();
            offsets[i + 1] = offsets[i] + s[ax];
        }
        INDArray out = parts.length == 1 ? plainCopy(values[0]) : Nd4j.concat(ax, values); // concat of one returns it
        return Tensor.result(out, "concat", g -> {
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].needsGrad()) {
                    parts[i].accumulate(g.get(along(g.rank(), ax, offsets[i], offsets[i + 1])).dup('c'), true);
                }
            }
        }, parts);
    }

    /**
     * Cuts a tensor along an axis into consecutive pieces of the given sizes (they must add up to the axis' size).
     * The inverse of {@link #concat}; tensor parallelism cuts weights and activations this way.
     */
    public static List<Tensor> split(Tensor a, int axis, long... sizes) {
        int ax = axis < 0 ? axis + a.rank() : axis;
        long total = Arrays.stream(sizes).sum();
        if (ax < 0 || ax >= a.rank() || total != a.size(ax) || Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
            throw new ShapeException("split", "positive sizes adding up to the size of axis " + axis,
                    "sizes " + Arrays.toString(sizes) + " for shape " + Arrays.toString(a.shape()));
        }
        List<Tensor> pieces = new ArrayList<>();
        long start = 0;
        for (long size : sizes) {
            INDArrayIndex[] idx = along(a.rank(), ax, start, start + size);
            INDArray piece = plainCopy(a.value().get(idx));
            pieces.add(Tensor.result(piece, "split", g -> {
                INDArray full = like(a.value()).assign(0);
                full.get(idx).assign(g);
                a.accumulate(full, true);
            }, a));
            start += size;
        }
        return pieces;
    }

    /** Splits into {@code n} equal pieces along an axis. */
    public static List<Tensor> chunk(Tensor a, int axis, int n) {
        int ax = axis < 0 ? axis + a.rank() : axis;
        if (n <= 0 || ax < 0 || ax >= a.rank() || a.size(ax) % n != 0) {
            throw new ShapeException("chunk", "an axis whose size divides into " + n + " equal pieces",
                    "axis " + axis + " of shape " + Arrays.toString(a.shape()));
        }
        long[] sizes = new long[n];
        Arrays.fill(sizes, a.size(ax) / n);
        return split(a, ax, sizes);
    }

    // =================================================================== softmax and losses

    /**
     * Softmax over the last axis, {@code exp(x - max) / sum(exp(x - max))} per row: ND4J's op, which subtracts the
     * row maximum first (its values are tested against a plain double loop, extremes included).
     */
    public static Tensor softmax(Tensor a) {
        INDArray out = Arena.alloc(a.dataType(), a.shape());
        Nd4j.exec(new SoftMax(a.value(), out, -1));
        return Tensor.result(out, "softmax", g -> {
            // dx = y * (g - sum(g * y))
            INDArray gy = g.mul(out, like(g));
            INDArray s = gy.sum(true, -1);
            a.accumulate(bsub(g, s, g.shape()).muli(out), true);
        }, a);
    }

    /**
     * log(softmax(x)) over the last axis, computed stably as {@code x - max - log(sum(exp(x - max)))} per row (the
     * sum in double), so an entry far below its row's maximum keeps its value ({@code [0, -120]} gives
     * {@code [-exp(-120), -120]}) instead of log(0) = -infinity.
     */
    public static Tensor logSoftmax(Tensor a) {
        INDArray out = logSoftmaxValue(a.value());
        return Tensor.result(out, "logSoftmax", g -> {
            // dx = g - softmax(x) * sum(g)
            INDArray soft = Transforms.exp(out, true);
            INDArray s = g.sum(true, -1);
            a.accumulate(g.sub(bmul(soft, s, g.shape())), true);
        }, a);
    }

    /**
     * Mean cross-entropy between logits [..., C] and integer class targets [...] (any integer or floating type
     * holding whole numbers). Fused with the softmax: its gradient is {@code (softmax - onehot) / N}. The targets'
     * shape must equal the logits' leading shape exactly: [N] for [N, C], [B, T] for [B, T, C] (not [T, B], not a
     * flat [B·T]), so targets are never paired with rows by flat position alone.
     *
     * @throws ShapeException when the targets' shape is not the logits' leading shape, or C or N is 0
     * @throws IllegalArgumentException when a target is not a whole number in [0, C) (2.7, NaN, -1, C), naming its
     *     position
     */
    public static Tensor crossEntropy(Tensor logits, INDArray targets) {
        INDArray z = logits.value();
        long[] leading = Arrays.copyOf(z.shape(), Math.max(0, z.rank() - 1));
        if (z.rank() < 2 || !Arrays.equals(targets.shape(), leading)) {
            throw new ShapeException("crossEntropy", "logits [..., C] and targets with the leading shape [...] of the logits",
                    "logits " + Arrays.toString(z.shape()) + ", targets " + Arrays.toString(targets.shape()));
        }
        long c = z.size(-1);
        long n = z.length() / Math.max(c, 1);
        if (c == 0 || n == 0) {
            throw new ShapeException("crossEntropy", "logits [..., C] with C >= 1 classes and at least one row "
                    + "(the mean over an empty batch is undefined)", "logits " + Arrays.toString(z.shape()));
        }
        int[] t = indices("crossEntropy", "target", targets, c, "is the number of classes (the logits' last axis) right?");
        // log-softmax, the loss and (softmax - onehot) / N in plain Java loops over a copy of the logits: C is small,
        // and each ND4J call would cost more in overhead than this whole pass
        double[] l = readDoubles(rows(z));
        int cc = (int) c;
        double loss = 0;
        for (int i = 0; i < t.length; i++) {
            int row = i * cc;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cc; j++) max = Math.max(max, l[row + j]);
            double sum = 0;
            for (int j = 0; j < cc; j++) sum += Math.exp(l[row + j] - max);
            double logZ = max + Math.log(sum);
            for (int j = 0; j < cc; j++) l[row + j] -= logZ; // l now holds log-probabilities
            loss -= l[row + t[i]];
        }
        loss /= n;
        return Tensor.result(scalarOf(z.dataType(), loss), "crossEntropy", g -> {
            double scale = g.getDouble(0) / n;
            double[] d = Arena.doubles(l.length);
            for (int i = 0; i < l.length; i++) d[i] = Math.exp(l[i]) * scale;
            for (int i = 0; i < t.length; i++) d[i * (int) c + t[i]] -= scale;
            logits.accumulate(fill(Arena.alloc(z.dataType(), z.shape()), d), true);
        }, logits);
    }

    /** x's elements in row-major order as doubles (any layout or view), in a work array from the open arena. */
    private static double[] readDoubles(INDArray x) {
        // a view (an offset into a larger buffer, or a strided one) is copied first: its buffer holds other elements
        boolean exact = x.ordering() == 'c' && !x.isView() && x.offset() == 0 && x.data().length() == x.length();
        if (!exact) x = x.dup('c');
        int n = (int) x.length();
        double[] out = Arena.doubles(n);
        if (Gemm.direct() && !x.isView() && x.dataType() == DataType.FLOAT) {
            float[] f = Arena.floats(n);
            x.data().asNioFloat().get(f, 0, n);
            for (int i = 0; i < n; i++) out[i] = f[i];
        } else if (Gemm.direct() && !x.isView() && x.dataType() == DataType.DOUBLE) {
            x.data().asNioDouble().get(out, 0, n);
        } else {
            System.arraycopy(x.data().asDouble(), 0, out, 0, n);
        }
        return out;
    }

    /** Mean squared error between two tensors of the same shape. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new ShapeException("mse", "prediction and target of the same shape",
                    Arrays.toString(prediction.shape()) + " and " + Arrays.toString(target.shape()));
        }
        sameType("mse", prediction, target);
        INDArray diff = prediction.value().sub(target.value());
        long n = diff.length();
        double loss = diff.mul(diff).sumNumber().doubleValue() / n;
        return Tensor.result(Nd4j.scalar(diff.dataType(), loss), "mse", g -> {
            double k = 2.0 * g.getDouble(0) / n;
            // times a scalar ARRAY: ND4J's mul(Number) would turn a NaN k (a NaN seed) into 1e-5
            if (prediction.needsGrad()) prediction.accumulate(diff.mul(Nd4j.scalar(diff.dataType(), k)), true);
            if (target.needsGrad()) target.accumulate(diff.mul(Nd4j.scalar(diff.dataType(), -k)), true);
        }, prediction, target);
    }

    // =================================================================== transformer pieces

    /**
     * Layer normalization over the last axis: {@code (x - mean) / sqrt(var + eps) * gamma + beta}, with the
     * backward written out in closed form (one pass, no graph of small ops).
     *
     * @throws IllegalArgumentException unless eps is finite and &gt; 0
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("layerNorm: expected a finite eps > 0 (e.g. 1e-5), got " + eps);
        }
        long c = x.size(-1);
        if (gamma.rank() != 1 || beta.rank() != 1 || gamma.size(0) != c || beta.size(0) != c) {
            throw new ShapeException("layerNorm", "x [..., C] with gamma [C] and beta [C]", "x "
                    + Arrays.toString(x.shape()) + ", gamma " + Arrays.toString(gamma.shape()) + ", beta "
                    + Arrays.toString(beta.shape()));
        }
        sameType("layerNorm", x, gamma);
        INDArray xv = x.value();
        if (RowKernels.usable(xv, gamma.value(), beta.value())) {
            // one Java loop per pass (RowKernels.layerNormForward / layerNormBackward), the formulas above
            int cc = (int) c;
            float[] xs = RowKernels.readScratch(0, xv), gm = RowKernels.read(gamma.value()), bt = RowKernels.read(beta.value());
            float[] xhat = Arena.floats(xs.length), rstd = Arena.floats(xs.length / cc);
            INDArray out = RowKernels.write(RowKernels.layerNormForward(xs, gm, bt, eps, cc, xhat, rstd), like(xv));
            return Tensor.result(out, "layerNorm", g -> {
                float[] gv = RowKernels.readScratch(0, Gemm.isPlainRowMajor(g) ? g : g.dup('c'));
                float[] dgamma = Arena.floats(cc), dbeta = Arena.floats(cc);
                java.util.Arrays.fill(dgamma, 0f);
                java.util.Arrays.fill(dbeta, 0f);
                float[] dx = RowKernels.layerNormBackward(gv, xhat, rstd, gm, cc, dgamma, dbeta);
                if (x.needsGrad()) x.accumulate(RowKernels.write(dx, like(xv)), true);
                if (gamma.needsGrad()) gamma.accumulate(RowKernels.write(dgamma, like(gamma.value())), true);
                if (beta.needsGrad()) beta.accumulate(RowKernels.write(dbeta, like(beta.value())), true);
            }, x, gamma, beta);
        }
        return layerNormNd4j(x, gamma, beta, eps);
    }

    /** {@link #layerNorm} as a chain of ND4J ops: other backends and types, and the reference of the Java loop. */
    static Tensor layerNormNd4j(Tensor x, Tensor gamma, Tensor beta, double eps) {
        INDArray xv = x.value();
        long[] shape = xv.shape();
        INDArray mu = xv.mean(true, -1);
        INDArray xc = bsub(xv, mu, shape);
        INDArray var = xc.mul(xc, like(xc)).mean(true, -1);
        INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false);
        INDArray xhat = bmul(xc, rstd, shape);
        INDArray out = bmul(xhat, gamma.value(), shape);
        Nd4j.exec(new AddOp(new INDArray[] {out, beta.value()}, new INDArray[] {out}));
        return Tensor.result(out, "layerNorm", g -> {
            int[] lead = new int[shape.length - 1];
            for (int i = 0; i < lead.length; i++) lead[i] = i;
            if (gamma.needsGrad()) gamma.accumulate(g.mul(xhat, like(g)).sum(lead), true);
            if (beta.needsGrad()) beta.accumulate(g.sum(lead), true);
            if (x.needsGrad()) {
                // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = g * gamma
                INDArray dxhat = bmul(g, gamma.value(), shape);
                INDArray m1 = dxhat.mean(true, -1);
                INDArray m2 = dxhat.mul(xhat, like(g)).mean(true, -1);
                INDArray dx = bsub(dxhat, m1, shape).subi(bmul(xhat, m2, shape));
                x.accumulate(bmul(dx, rstd, shape), true);
            }
        }, x, gamma, beta);
    }

    /**
     * Looks up rows of an embedding table [V, C] for integer indices of any shape [...], giving [..., C]. Backward
     * adds each output row's gradient into the row it came from (rows used twice get both).
     */
    public static Tensor embedding(Tensor table, INDArray indices) {
        if (table.rank() != 2) {
            throw new ShapeException("embedding", "a table [V, C]", Arrays.toString(table.shape()));
        }
        long v = table.size(0), c = table.size(1);
        if (indices.isEmpty() || indices.length() == 0) {
            throw new ShapeException("embedding", "at least one index", "indices " + Arrays.toString(indices.shape()));
        }
        int[] idx = indices("embedding", "index", indices, v, "is the vocabulary size right?");
        long[] outShape = Arrays.copyOf(indices.shape(), indices.rank() + 1);
        outShape[indices.rank()] = c;
        INDArray rows = Nd4j.pullRows(table.value(), 1, idx);
        INDArray out = rows.reshape('c', outShape);
        return Tensor.result(out, "embedding", g -> {
            double[] gd = readDoubles(rows(g));
            double[] acc = Arena.doubles((int) (v * c));
            Arrays.fill(acc, 0.0);
            for (int i = 0; i < idx.length; i++) {
                int src = i * (int) c, dst = idx[i] * (int) c;
                for (int j = 0; j < c; j++) acc[dst + j] += gd[src + j];
            }
            table.accumulate(fill(Arena.alloc(table.dataType(), v, c), acc), true);
        }, table);
    }

    /**
     * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p), so evaluation (no
     * dropout) needs no rescaling. Uses ND4J's random generator: seed it ({@code Nd4j.getRandom().setSeed}) for
     * repeatable runs.
     */
    public static Tensor dropout(Tensor a, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: expected a probability in [0, 1), got " + p);
        }
        if (p == 0) return a;
        INDArray mask = Nd4j.rand(a.dataType(), a.shape()).gt(p).castTo(a.dataType()).muli(1.0 / (1.0 - p));
        return Tensor.result(a.value().mul(mask), "dropout", g -> a.accumulate(g.mul(mask), true), a);
    }

    private static final Map<String, INDArray[]> CAUSAL = new ConcurrentHashMap<>();

    /**
     * Hides the future from attention scores [..., T, T]: position (i, j) with j > i becomes -infinity, so softmax
     * gives it weight 0. Its gradient there is 0.
     */
    public static Tensor causalMask(Tensor scores) {
        long t = scores.size(-1);
        if (scores.rank() < 2 || scores.size(-2) != t) {
            throw new ShapeException("causalMask", "attention scores [..., T, T]", Arrays.toString(scores.shape()));
        }
        INDArray[] m = CAUSAL.computeIfAbsent(t + "/" + scores.dataType(), k -> {
            double[] add = new double[(int) (t * t)], keep = new double[(int) (t * t)];
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    add[(int) (i * t + j)] = j > i ? Double.NEGATIVE_INFINITY : 0.0;
                    keep[(int) (i * t + j)] = j > i ? 0.0 : 1.0;
                }
            }
            return new INDArray[] {Nd4j.create(add, new long[] {t, t}, 'c').castTo(scores.dataType()),
                    Nd4j.create(keep, new long[] {t, t}, 'c').castTo(scores.dataType())};
        });
        INDArray out = Arena.alloc(scores.dataType(), scores.shape());
        Nd4j.exec(new AddOp(new INDArray[] {scores.value(), m[0]}, new INDArray[] {out}));
        return Tensor.result(out, "causalMask", g -> scores.accumulate(bmul(g, m[1], g.shape()), true), scores);
    }

    // =================================================================== helpers

    /** A scratch array of x's type and shape (from the arena when one is open); its contents are undefined. */
    static INDArray like(INDArray x) {
        return Arena.alloc(x.dataType(), x.shape());
    }

    /** A row-major copy of any array or view (from the arena when one is open). */
    static INDArray plainCopy(INDArray x) {
        return Arena.alloc(x.dataType(), x.shape()).assign(x);
    }

    /** Copies Java values into a row-major array of the same length (the array's own type). */
    static INDArray fill(INDArray out, double[] values) {
        if (out.dataType() == DataType.FLOAT && Gemm.direct() && !out.isView()) {
            float[] f = Arena.floats(values.length);
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            out.data().asNioFloat().put(f, 0, f.length);
        } else if (out.dataType() == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            out.data().setData(f);
        } else if (out.dataType() == DataType.DOUBLE) {
            out.data().setData(values);
        } else {
            out.assign(Nd4j.create(values, out.shape(), 'c'));
        }
        return out;
    }

    static INDArray scalarOf(DataType type, double v) {
        INDArray s = Arena.alloc(type);
        s.putScalar(0, v);
        return s;
    }

    private static final Map<String, INDArray> ONES = new ConcurrentHashMap<>();

    /** A cached vector of m ones (made outside any arena, shared, never written to). */
    static INDArray ones(DataType type, long m) {
        return ONES.computeIfAbsent(type + "/" + m, k -> Nd4j.ones(type, m));
    }

    /**
     * Integer indices in [0, bound) read from any integer or floating array (flattened in row-major order), or an
     * IllegalArgumentException naming the position, what was expected and what was got: a float label 2.7 is not
     * silently class 2.
     */
    static int[] indices(String op, String what, INDArray values, long bound, String hint) {
        if (!values.dataType().isIntType() && !values.dataType().isFPType()) {
            throw new IllegalArgumentException(op + ": expected " + what + "s of an integer (or whole-number "
                    + "floating) type, got " + values.dataType() + "; cast them to INT or LONG");
        }
        double[] d = values.reshape('c', new long[] {values.length()}).toDoubleVector();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            double x = d[i];
            if (!(x >= 0 && x < bound) || x != Math.rint(x)) {
                boolean whole = x == Math.rint(x) && Math.abs(x) < 0x1p53;
                String got = whole ? String.valueOf((long) x) : String.valueOf(x);
                throw new IllegalArgumentException(op + ": each " + what + " must be an integer class index in [0, "
                        + bound + "), got " + got + " at position " + i + (values.rank() > 1 ? " (row-major order in "
                        + Arrays.toString(values.shape()) + ")" : "") + (whole ? "; " + hint
                        : "; labels must be whole numbers (round or cast them to an integer type first)"));
            }
            out[i] = (int) x;
        }
        return out;
    }

    /**
     * Stable log-softmax over the last axis: per row, {@code x - max - log(sum(exp(x - max)))}, accumulated in double.
     * (ND4J's LogSoftMax computes log(softmax(x)), which is -infinity wherever softmax underflows.)
     */
    static INDArray logSoftmaxValue(INDArray x) {
        INDArray src = x.isView() || !Gemm.isPlainRowMajor(x) ? x.dup('c') : x; // exactly its n elements, in order
        int c = (int) x.size(-1), n = (int) x.length();
        INDArray out = Arena.alloc(x.dataType(), x.shape());
        // in double for both types (a float promotes exactly, so a FLOAT row gets the same result as before rounding)
        double[] v = src.castTo(DataType.DOUBLE).data().asDouble();
        for (int row = 0; row < n; row += c) {
            double max = v[row];
            int arg = row;
            for (int j = row + 1; j < row + c; j++) if (v[j] > max || max != max) max = v[arg = j];
            // log(sum(exp(v - max))) = log1p(sum over the others): exact even when they add up to less than 1e-16
            double rest = 0;
            for (int j = row; j < row + c; j++) if (j != arg) rest += Math.exp(v[j] - max);
            double logSum = Math.log1p(rest);
            for (int j = row; j < row + c; j++) v[j] = v[j] - max - logSum;
        }
        fill(out, v);
        return out;
    }

    /** Copies x into a row-major array of the same length (any shape), element by element in row-major order. */
    static void copyRowMajor(INDArray x, INDArray out) {
        INDArray src = Gemm.isPlainRowMajor(x) ? x : x.dup('c');
        if (Gemm.direct() && !src.isView() && src.dataType() == out.dataType()
                && (src.dataType() == DataType.FLOAT || src.dataType() == DataType.DOUBLE)) {
            // one bulk copy of the bytes (memcpy speed), no ND4J op
            var from = src.data().asNio().duplicate();
            long bytes = src.length() * src.dataType().width();
            from.position(0).limit((int) bytes);
            var to = out.data().asNio().duplicate();
            to.position(0);
            to.put(from);
        } else {
            out.assign(src.reshape('c', out.shape()));
        }
    }

    /**
     * Refuses a NaN or infinite constant: ND4J's scalar ops ({@code INDArray.mul(Number)} etc.) silently replace
     * a NaN by 1e-5, which would hide a NaN loss weight from the Trainer's divergence check.
     */
    static void finite(String op, String what, double c) {
        if (!Double.isFinite(c)) {
            throw new IllegalArgumentException(op + ": expected a finite " + what + ", got " + c
                    + " (a NaN or infinite constant is refused: compute it as a tensor if you mean it)");
        }
    }

    /** [..., k] viewed as [rows, k] (row-major, no copy when already plain). */
    static INDArray rows(INDArray x) {
        INDArray plain = Gemm.isPlainRowMajor(x) ? x : x.dup('c');
        return plain.rank() == 2 ? plain : plain.reshape('c', plain.length() / plain.size(-1), plain.size(-1));
    }

    private static long[] lead(INDArray x) {
        return Arrays.copyOf(x.shape(), x.rank() - 2);
    }

    static INDArray bmul(INDArray a, INDArray b, long[] shape) {
        INDArray out = Arena.alloc(a.dataType(), shape);
        Nd4j.exec(new MulOp(new INDArray[] {a, b}, new INDArray[] {out}));
        return out;
    }

    static INDArray bdiv(INDArray a, INDArray b, long[] shape) {
        INDArray out = Arena.alloc(a.dataType(), shape);
        Nd4j.exec(new DivOp(new INDArray[] {a, b}, new INDArray[] {out}));
        return out;
    }

    static INDArray bsub(INDArray a, INDArray b, long[] shape) {
        INDArray out = Arena.alloc(a.dataType(), shape);
        Nd4j.exec(new SubOp(new INDArray[] {a, b}, new INDArray[] {out}));
        return out;
    }

    static void sameType(String op, Tensor a, Tensor b) {
        if (a.dataType() != b.dataType()) {
            throw new IllegalArgumentException(op + ": expected tensors of one data type, got " + a.dataType()
                    + " " + Arrays.toString(a.shape()) + " and " + b.dataType() + " " + Arrays.toString(b.shape())
                    + "; convert one with castTo(...)");
        }
    }

    /** NumPy broadcasting: align shapes on the right; each pair of sizes must be equal or one of them 1. */
    static long[] broadcastShape(String op, Tensor a, Tensor b) {
        sameType(op, a, b);
        long[] sa = a.shape(), sb = b.shape();
        int r = Math.max(sa.length, sb.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - sa.length ? 1 : sa[i - (r - sa.length)];
            long db = i < r - sb.length ? 1 : sb[i - (r - sb.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op, "shapes that broadcast (equal sizes, or 1, aligned on the right)",
                        Arrays.toString(sa) + " and " + Arrays.toString(sb));
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Sums a broadcast gradient back down to the shape of the input that was broadcast. */
    static INDArray unbroadcast(INDArray g, long[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        int extra = g.rank() - shape.length;
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < extra || (shape[i - extra] == 1 && g.size(i) != 1)) dims.add(i);
        }
        INDArray s = g.sum(true, dims.stream().mapToInt(Integer::intValue).toArray());
        return s.reshape('c', shape.length == 0 ? new long[0] : shape);
    }

    /** Spreads a reduced gradient back over the reduced axes, times a factor (1 for sum, 1/n for mean). */
    private static INDArray expand(INDArray g, long[] shape, int[] axes, double factor) {
        long[] kept = shape.clone();
        for (int d : axes) kept[d] = 1;
        INDArray gk = g.reshape('c', kept);
        INDArray out = Nd4j.valueArrayOf(shape, factor, g.dataType());
        Nd4j.exec(new MulOp(new INDArray[] {out, gk}, new INDArray[] {out}));
        return out;
    }

    private static int[] axes(Tensor a, String op, int... axes) {
        if (axes.length == 0) {
            throw new IllegalArgumentException(op + ": name the axes to reduce, or call " + op + "() for all");
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int d = axes[i] < 0 ? axes[i] + a.rank() : axes[i];
            if (d < 0 || d >= a.rank()) {
                throw new ShapeException(op, "axes in [-" + a.rank() + ", " + a.rank() + ")",
                        "axis " + axes[i] + " for shape " + Arrays.toString(a.shape()));
            }
            out[i] = d;
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new ShapeException(op, "each axis at most once", "axes " + Arrays.toString(axes)
                        + " for shape " + Arrays.toString(a.shape()) + " (axis " + out[i] + " given twice)");
            }
        }
        return out;
    }

    private static long[] inferShape(Tensor a, long[] shape) {
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1 && unknown < 0) unknown = i;
            else if (shape[i] <= 0) {
                throw new ShapeException("reshape", "positive sizes and at most one -1", Arrays.toString(shape));
            } else known *= shape[i];
        }
        long[] out = shape.clone();
        long n = a.value().length();
        if (unknown >= 0) {
            if (n % known != 0) {
                throw new ShapeException("reshape", "a shape with " + n + " elements", Arrays.toString(shape)
                        + " for " + Arrays.toString(a.shape()));
            }
            out[unknown] = n / known;
        } else if (known != n) {
            throw new ShapeException("reshape", "a shape with " + n + " elements (from " + Arrays.toString(a.shape())
                    + ")", Arrays.toString(shape) + " with " + known);
        }
        return out;
    }

    private static INDArrayIndex[] along(int rank, int axis, long from, long to) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) idx[i] = i == axis ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
        return idx;
    }
}
