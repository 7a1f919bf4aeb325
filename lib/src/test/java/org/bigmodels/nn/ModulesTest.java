package org.bigmodels.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.bigmodels.engine.GradCheck;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ModulesTest {

    @Test
    void mlpParametersAreNamedInOrder() {
        MLP m = MLP.of(784, 300, 100, 10);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"),
                List.copyOf(m.namedParameters().keySet()));
        assertEquals(784L * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10, m.parameterCount());
        assertArrayEquals(new long[] {784, 300}, m.parameter("0.weight").shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.parameter("1.weight"));
        assertTrue(e.getMessage().contains("0.weight"));
    }

    @Test
    void sameSeedSameModel() {
        MLP a = new MLP(new long[] {4, 3, 2}, Activation.TANH, DataType.DOUBLE, 5);
        MLP b = new MLP(new long[] {4, 3, 2}, Activation.TANH, DataType.DOUBLE, 5);
        MLP c = new MLP(new long[] {4, 3, 2}, Activation.TANH, DataType.DOUBLE, 6);
        assertEquals(a.parameter("0.weight").value(), b.parameter("0.weight").value());
        assertNotEquals(a.parameter("0.weight").value(), c.parameter("0.weight").value());
    }

    private static GPTConfig small() {
        return new GPTConfig(11, 8, 2, 2, 16, 0.0, DataType.DOUBLE, 3);
    }

    @Test
    void gptShapesAndParameterNames() {
        GPT gpt = new GPT(small());
        INDArray ids = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5}, {0, 10, 9, 8, 7}});
        Tensor logits = gpt.forward(ids);
        assertArrayEquals(new long[] {2, 5, 11}, logits.shape());
        assertTrue(gpt.namedParameters().containsKey("blocks.1.attn.qkv.weight"));
        assertTrue(gpt.namedParameters().containsKey("head.weight"));
        // embeddings + per block (2 LN + qkv + proj + mlp) + final LN + head
        long c = 16, v = 11, t = 8;
        long block = 2 * 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
        assertEquals(v * c + t * c + 2 * block + 2 * c + c * v + v, gpt.parameterCount());
        double initialLoss = gpt.loss(ids, ids).item();
        assertEquals(Math.log(11), initialLoss, 0.3, "an untrained model should be near uniform");
    }

    @Test
    void gptIsCausal() {
        GPT gpt = new GPT(small());
        gpt.train(false);
        INDArray a = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6}});
        INDArray b = Nd4j.createFromArray(new int[][] {{1, 2, 3, 9, 9, 9}});
        INDArray la = gpt.forward(a).value(), lb = gpt.forward(b).value();
        // positions 0..2 see the same past, so their logits agree; position 3 sees a different token
        INDArray pastA = la.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3), NDArrayIndex.all());
        INDArray pastB = lb.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3), NDArrayIndex.all());
        assertTrue(pastA.equalsWithEps(pastB, 1e-12));
        assertFalse(la.get(NDArrayIndex.all(), NDArrayIndex.point(3), NDArrayIndex.all())
                .equalsWithEps(lb.get(NDArrayIndex.all(), NDArrayIndex.point(3), NDArrayIndex.all()), 1e-6));
    }

    @Test
    void gptContextLongerThanBlockSizeIsRefused() {
        GPT gpt = new GPT(small());
        assertThrows(org.bigmodels.engine.ShapeException.class, () -> gpt.forward(Nd4j.zeros(DataType.INT, 1, 9)));
    }

    @Test
    void attentionBlockGradientsMatchFiniteDifferences() {
        Block block = new Block(8, 2, 0.0, DataType.DOUBLE, Init.rng(1));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 8);
        var params = block.parameters();
        INDArray[] inputs = new INDArray[params.size() + 1];
        inputs[0] = x;
        for (int i = 0; i < params.size(); i++) inputs[i + 1] = params.get(i).value();
        GradCheck.Result r = GradCheck.check(ts -> {
            for (int i = 0; i < params.size(); i++) params.get(i).setValue(ts.get(i + 1).value());
            // re-run the block with the perturbed/param tensors: swap values in, use ts for the gradient path
            return blockWith(block, ts);
        }, 15, 1e-6, inputs);
        String bad = r.entries().stream().filter(e -> e.relativeError() > 1e-5).limit(5).map(Object::toString)
                .collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(r.passes(1e-5), "worst " + r.maxRelativeError() + "\n" + bad);
    }

    /** The block's function written with the given tensors as its parameters (same order as parameters()). */
    private static Tensor blockWith(Block block, List<Tensor> ts) {
        // order: ln1.weight, ln1.bias, attn.qkv.weight, attn.qkv.bias, attn.proj.weight, attn.proj.bias,
        //        ln2.weight, ln2.bias, mlp.0.weight, mlp.0.bias, mlp.2.weight, mlp.2.bias
        Tensor x = ts.get(0);
        long b = x.size(0), t = x.size(1), c = x.size(2), h = 2, hd = c / h;
        Tensor a = Ops.layerNorm(x, ts.get(1), ts.get(2), 1e-5);
        List<Tensor> qkv = Ops.chunk(Ops.linear(a, ts.get(3), ts.get(4)), 2, 3);
        Tensor q = qkv.get(0).reshape(b, t, h, hd).transpose(1, 2);
        Tensor k = qkv.get(1).reshape(b, t, h, hd).transpose(1, 2);
        Tensor v = qkv.get(2).reshape(b, t, h, hd).transpose(1, 2);
        Tensor w = Ops.causalMask(q.matmul(k.transpose(2, 3)).mul(1 / Math.sqrt(hd))).softmax();
        Tensor y = Ops.linear(w.matmul(v).transpose(1, 2).reshape(b, t, c), ts.get(5), ts.get(6));
        Tensor h1 = x.add(y);
        Tensor m = Ops.linear(Ops.linear(Ops.layerNorm(h1, ts.get(7), ts.get(8), 1e-5), ts.get(9), ts.get(10)).gelu(),
                ts.get(11), ts.get(12));
        Tensor out = h1.add(m);
        // the module itself must compute the same function
        try (var off = Tensor.noGrad()) {
            INDArray ref = block.forward(Tensor.of(x.value())).value();
            if (!ref.equalsWithEps(out.value(), 1e-10)) throw new AssertionError("Block.forward differs from its definition");
        }
        return out;
    }
}
