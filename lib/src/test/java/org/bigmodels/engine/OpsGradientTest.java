package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every op's backward against central finite differences (double precision). */
class OpsGradientTest {

    @BeforeAll
    static void seed() {
        Nd4j.getRandom().setSeed(7);
    }

    static INDArray r(long... shape) {
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2);
    }

    static INDArray pos(long... shape) {
        return Nd4j.rand(DataType.DOUBLE, shape).addi(0.5);
    }

    static Arguments c(String name, Function<List<Tensor>, Tensor> f, INDArray... in) {
        return Arguments.of(name, f, in);
    }

    static Stream<Arguments> cases() {
        INDArray targets = Nd4j.createFromArray(new int[] {2, 0, 1, 4});
        INDArray seqTargets = Nd4j.createFromArray(new int[][] {{1, 0, 2}, {2, 2, 1}});
        INDArray ids = Nd4j.createFromArray(new int[][] {{0, 3, 3}, {1, 0, 2}});
        return Stream.of(
                c("matmul 2d", t -> t.get(0).matmul(t.get(1)), r(3, 4), r(4, 5)),
                c("matmul 3d x 2d", t -> t.get(0).matmul(t.get(1)), r(2, 3, 4), r(4, 5)),
                c("matmul batched 4d", t -> t.get(0).matmul(t.get(1)), r(2, 2, 3, 4), r(2, 2, 4, 3)),
                c("linear", t -> Ops.linear(t.get(0), t.get(1), t.get(2)), r(5, 4), r(4, 3), r(3)),
                c("linear 3d", t -> Ops.linear(t.get(0), t.get(1), t.get(2)), r(2, 5, 4), r(4, 3), r(3)),
                c("add broadcast", t -> t.get(0).add(t.get(1)), r(3, 4), r(4)),
                c("add broadcast both", t -> t.get(0).add(t.get(1)), r(3, 1), r(1, 4)),
                c("sub broadcast", t -> t.get(0).sub(t.get(1)), r(2, 3, 4), r(3, 1)),
                c("mul broadcast", t -> t.get(0).mul(t.get(1)), r(3, 4), r(3, 1)),
                c("div broadcast", t -> t.get(0).div(t.get(1)), r(3, 4), pos(4)),
                c("add scalar", t -> t.get(0).add(1.5), r(3, 2)),
                c("scale", t -> t.get(0).mul(-2.5), r(3, 2)),
                c("pow", t -> t.get(0).pow(3), r(3, 2)),
                c("relu", t -> t.get(0).relu(), r(4, 5)),
                c("gelu", t -> t.get(0).gelu(), r(4, 5)),
                c("tanh", t -> t.get(0).tanh(), r(4, 5)),
                c("sigmoid", t -> t.get(0).sigmoid(), r(4, 5)),
                c("exp", t -> t.get(0).exp(), r(4, 5)),
                c("log", t -> t.get(0).log(), pos(4, 5)),
                c("sum all", t -> t.get(0).sum(), r(3, 4)),
                c("sum axis", t -> t.get(0).sum(false, 1), r(3, 4, 2)),
                c("sum keepdims", t -> t.get(0).sum(true, 0, 2), r(3, 4, 2)),
                c("mean all", t -> t.get(0).mean(), r(3, 4)),
                c("mean axis", t -> t.get(0).mean(true, -1), r(3, 4)),
                c("reshape", t -> t.get(0).reshape(4, -1).mul(t.get(1)), r(2, 3, 2), r(4, 3)),
                c("transpose", t -> t.get(0).transpose(1, 2).mul(t.get(1)), r(2, 3, 4), r(2, 4, 3)),
                c("concat", t -> Ops.concat(1, t.get(0), t.get(1)).mul(t.get(2)), r(2, 3), r(2, 2), r(2, 5)),
                c("split", t -> t.get(0).split(1, 1, 3).get(1).mul(t.get(1)), r(2, 4), r(2, 3)),
                c("chunk", t -> Ops.chunk(t.get(0), -1, 2).get(0).exp(), r(2, 3, 4)),
                c("softmax", t -> t.get(0).softmax(), r(3, 5)),
                c("softmax 3d", t -> t.get(0).softmax(), r(2, 3, 4)),
                c("logSoftmax", t -> t.get(0).logSoftmax(), r(3, 5)),
                c("crossEntropy", t -> Ops.crossEntropy(t.get(0), targets), r(4, 5)),
                c("crossEntropy 3d", t -> Ops.crossEntropy(t.get(0), seqTargets), r(2, 3, 4)),
                c("mse", t -> Ops.mse(t.get(0), t.get(1)), r(3, 4), r(3, 4)),
                c("layerNorm", t -> Ops.layerNorm(t.get(0), t.get(1), t.get(2), 1e-5), r(2, 3, 6), r(6), r(6)),
                c("embedding", t -> Ops.embedding(t.get(0), ids), r(4, 3)),
                c("causalMask+softmax", t -> Ops.causalMask(t.get(0)).softmax(), r(2, 4, 4)),
                c("composite mlp", t -> Ops.crossEntropy(Ops.linear(Ops.linear(t.get(0), t.get(1), t.get(2)).tanh(),
                        t.get(3), null), targets), r(4, 6), r(6, 5), r(5), r(5, 5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(String name, Function<List<Tensor>, Tensor> f, INDArray[] inputs) {
        GradCheck.Result result = GradCheck.check(f, inputs);
        assertTrue(result.passes(1e-6), name + ": worst relative error " + result.maxRelativeError());
        assertTrue(result.entries().size() > 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradCheckCatchesAWrongGradient(String name, Function<List<Tensor>, Tensor> f, INDArray[] inputs) {
        // the same function, with its gradient deliberately scaled by 1.5 on the way back: the check must notice
        Function<List<Tensor>, Tensor> wrong = t -> {
            Tensor x = t.get(0);
            Tensor skewed = Tensor.result(x.value(), "skew", g -> x.accumulate(g.mul(1.5), true), x);
            List<Tensor> copy = new java.util.ArrayList<>(t);
            copy.set(0, skewed);
            return f.apply(copy);
        };
        GradCheck.Result result = GradCheck.check(wrong, inputs);
        assertTrue(result.maxRelativeError() > 1e-3, name + ": a wrong gradient went unnoticed");
    }
}
