package org.bigmodels.tensorparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.CausalSelfAttention;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.bigmodels.nn.Sequential;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Tensor-parallel layers against the dense layers of org.bigmodels.nn (themselves checked against finite differences
 * in the engine's tests): forward outputs equal, every shard's gradient equal to the matching slice of the dense
 * gradient, for 1, 2 and 4 worker threads; bytes sent equal to {@link TensorParallelTraffic}; bad sizes refused.
 */
class TensorParallelTest {
    static final long TIMEOUT = 30_000;
    static final double TOL = 1e-9;

    static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    static INDArray cols(INDArray a, long lo, long hi) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(lo, hi));
    }

    static INDArray rows(INDArray a, long lo, long hi) {
        return a.get(NDArrayIndex.interval(lo, hi), NDArrayIndex.all());
    }

    static void close(INDArray expected, INDArray got, String what) {
        assertTrue(java.util.Arrays.equals(expected.shape(), got.shape()),
                what + ": shape " + java.util.Arrays.toString(got.shape()) + " expected "
                        + java.util.Arrays.toString(expected.shape()));
        double diff = expected.castTo(DataType.DOUBLE).sub(got.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff < TOL, what + ": max abs difference " + diff);
    }

    static Map<String, INDArray> grads(Module m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, p) -> out.put(n, p.grad().dup()));
        return out;
    }

    /** The slice of a dense gradient that the tensor-parallel parameter {@code name} should hold on rank r of p. */
    static INDArray expectedShard(String name, Map<String, INDArray> dense, int r, int p, String prefix) {
        String local = name.substring(prefix.length());
        if (local.startsWith("attn.qkv.")) {
            INDArray g = dense.get(prefix + local);
            boolean w = local.endsWith("weight");
            long c = (w ? g.size(1) : g.length()) / 3, part = c / p;
            List<INDArray> pieces = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                long lo = j * c + r * part;
                pieces.add(w ? cols(g, lo, lo + part) : g.get(NDArrayIndex.interval(lo, lo + part)));
            }
            return Nd4j.concat(w ? 1 : 0, pieces.toArray(new INDArray[0]));
        }
        String denseName = prefix + local.replace("mlp.fc.", "mlp.0.").replace("mlp.proj.", "mlp.2.");
        INDArray g = dense.get(denseName);
        boolean column = local.startsWith("mlp.fc.") || local.startsWith("head.");
        boolean row = local.equals("attn.proj.weight") || local.equals("mlp.proj.weight") || local.equals("wte.weight");
        if (column) {
            if (g.rank() == 2) return cols(g, r * g.size(1) / p, (r + 1) * g.size(1) / p);
            return g.get(NDArrayIndex.interval(r * g.length() / p, (r + 1) * g.length() / p));
        }
        if (row) return rows(g, r * g.size(0) / p, (r + 1) * g.size(0) / p);
        return g; // replicated: layer norms, row-parallel biases, position embedding
    }

    // ------------------------------------------------------------------ Linear

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void columnParallelLinearEqualsDenseForwardAndBackward(int p) {
        Linear dense = new Linear(8, 12, DataType.DOUBLE, new Random(1));
        dense.bias().value().assign(rand(2, 12));
        INDArray x = rand(3, 2, 3, 8), probe = rand(4, 2, 3, 12);
        Tensor xd = Tensor.param(x.dup());
        Tensor yd = dense.forward(xd);
        yd.mul(Tensor.of(probe)).sum().backward();
        ThreadCommunicator.run(p, TIMEOUT, comm -> {
            int r = comm.rank();
            ColumnParallelLinear layer = new ColumnParallelLinear(dense, comm);
            Tensor xr = Tensor.param(x.dup());
            Tensor y = layer.forward(xr);
            long lo = r * 12 / p, hi = (r + 1) * 12 / p;
            INDArray probeR = probe.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(lo, hi));
            close(yd.value().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(lo, hi)), y.value(),
                    "column-parallel output columns of rank " + r);
            y.mul(Tensor.of(probeR.dup())).sum().backward();
            close(cols(dense.weight().grad(), lo, hi), layer.weight().grad(), "dW columns of rank " + r);
            close(dense.bias().grad().get(NDArrayIndex.interval(lo, hi)), layer.bias().grad(), "db slice of rank " + r);
            close(xd.grad(), xr.grad(), "dx (all-reduced by f) on rank " + r);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void rowParallelLinearEqualsDenseForwardAndBackward(int p) {
        Linear dense = new Linear(8, 6, DataType.DOUBLE, new Random(5));
        dense.bias().value().assign(rand(6, 6));
        INDArray x = rand(7, 5, 8), probe = rand(8, 5, 6);
        Tensor xd = Tensor.param(x.dup());
        Tensor yd = dense.forward(xd);
        yd.mul(Tensor.of(probe)).sum().backward();
        ThreadCommunicator.run(p, TIMEOUT, comm -> {
            int r = comm.rank();
            RowParallelLinear layer = new RowParallelLinear(dense, comm);
            long lo = r * 8 / p, hi = (r + 1) * 8 / p;
            Tensor xr = Tensor.param(cols(x, lo, hi).dup());
            Tensor y = layer.forward(xr);
            close(yd.value(), y.value(), "row-parallel output (all-reduced, bias once) on rank " + r);
            y.mul(Tensor.of(probe)).sum().backward();
            close(rows(dense.weight().grad(), lo, hi), layer.weight().grad(), "dW rows of rank " + r);
            close(dense.bias().grad(), layer.bias().grad(), "db on rank " + r);
            close(cols(xd.grad(), lo, hi), xr.grad(), "dx slice of rank " + r);
            return null;
        });
    }

    // ------------------------------------------------------------------ MLP, attention, block

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void parallelMlpEqualsDenseAndSendsOneAllReduceEachWay(int p) {
        Random rng = new Random(9);
        Linear up = new Linear(8, 16, DataType.DOUBLE, rng), down = new Linear(16, 8, DataType.DOUBLE, rng);
        up.bias().value().assign(rand(10, 16));
        down.bias().value().assign(rand(11, 8));
        Sequential dense = new Sequential(up, Activation.GELU, down);
        INDArray x = rand(12, 2, 4, 8), probe = rand(13, 2, 4, 8);
        Tensor xd = Tensor.param(x.dup());
        Tensor yd = dense.forward(xd);
        yd.mul(Tensor.of(probe)).sum().backward();
        Map<String, INDArray> dg = grads(dense);
        ThreadCommunicator.run(p, TIMEOUT, comm -> {
            int r = comm.rank();
            ParallelMLP mlp = new ParallelMLP(up, Activation.GELU, down, comm);
            Tensor xr = Tensor.param(x.dup());
            comm.resetStats();
            Tensor y = mlp.forward(xr);
            assertEquals(TensorParallelTraffic.layerBytes(p, 8, 8, 8), comm.totalBytesSent(), 0.0,
                    "MLP forward bytes of rank " + r);
            close(yd.value(), y.value(), "MLP output on rank " + r);
            Tensor loss = y.mul(Tensor.of(probe)).sum();
            comm.resetStats();
            loss.backward();
            assertEquals(TensorParallelTraffic.layerBytes(p, 8, 8, 8), comm.totalBytesSent(), 0.0,
                    "MLP backward bytes of rank " + r);
            long lo = r * 16 / p, hi = (r + 1) * 16 / p;
            close(cols(dg.get("0.weight"), lo, hi), mlp.fc().weight().grad(), "fc dW of rank " + r);
            close(dg.get("0.bias").get(NDArrayIndex.interval(lo, hi)), mlp.fc().bias().grad(), "fc db of rank " + r);
            close(rows(dg.get("2.weight"), lo, hi), mlp.proj().weight().grad(), "proj dW of rank " + r);
            close(dg.get("2.bias"), mlp.proj().bias().grad(), "proj db of rank " + r);
            close(xd.grad(), xr.grad(), "MLP dx on rank " + r);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void tensorParallelBlockEqualsDenseForwardAndBackward(int p) {
        Block dense = new Block(16, 4, 0.0, DataType.DOUBLE, new Random(21));
        dense.namedParameters().forEach((n, t) -> t.value().addi(rand(n.hashCode(), t.shape()).muli(0.1)));
        INDArray x = rand(22, 2, 5, 16), probe = rand(23, 2, 5, 16);
        Tensor xd = Tensor.param(x.dup());
        Tensor yd = dense.forward(xd);
        yd.mul(Tensor.of(probe)).sum().backward();
        Map<String, INDArray> dg = grads(dense);
        ThreadCommunicator.run(p, TIMEOUT, comm -> {
            int r = comm.rank();
            TensorParallelBlock block = new TensorParallelBlock(dense, comm);
            Tensor xr = Tensor.param(x.dup());
            comm.resetStats();
            Tensor y = block.forward(xr);
            double formula = TensorParallelTraffic.blockBytes(p, 10, 16, 8);
            assertEquals(formula, comm.totalBytesSent(), 0.0, "block forward bytes of rank " + r);
            long messages = 0;
            for (int q = 0; q < p; q++) if (q != r) messages += comm.messagesSent(q);
            assertEquals(2 * TensorParallelTraffic.allReduceMessages(p), messages, "block forward messages");
            close(yd.value(), y.value(), "block output on rank " + r);
            Tensor loss = y.mul(Tensor.of(probe)).sum();
            comm.resetStats();
            loss.backward();
            assertEquals(formula, comm.totalBytesSent(), 0.0, "block backward bytes of rank " + r);
            close(xd.grad(), xr.grad(), "block dx on rank " + r);
            block.namedParameters().forEach((n, t) ->
                    close(expectedShard(n, dg, r, p, ""), t.grad(), "gradient of " + n + " on rank " + r));
            return null;
        });
    }

    @Test
    void parallelAttentionInFloatUsesTheFusedKernelAndStillMatches() {
        CausalSelfAttention dense = new CausalSelfAttention(16, 4, 0.0, DataType.FLOAT, new Random(31));
        INDArray x = rand(32, 2, 6, 16).castTo(DataType.FLOAT);
        Tensor yd;
        try (var off = Tensor.noGrad()) {
            yd = dense.forward(Tensor.of(x));
        }
        ThreadCommunicator.run(2, TIMEOUT, comm -> {
            ParallelAttention attn = new ParallelAttention(dense, comm);
            assertEquals(2, attn.localHeads());
            try (var off = Tensor.noGrad()) {
                double diff = yd.value().sub(attn.forward(Tensor.of(x)).value()).amaxNumber().doubleValue();
                assertTrue(diff < 1e-5, "float attention differs by " + diff);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ vocabulary parallel, whole GPT

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void vocabParallelEmbeddingAndCrossEntropyEqualDense(int p) {
        Embedding table = new Embedding(12, 6, DataType.DOUBLE, new Random(41));
        INDArray ids = Nd4j.createFromArray(new int[][] {{0, 5, 11, 3}, {7, 7, 2, 9}});
        INDArray targets = Nd4j.createFromArray(new int[][] {{1, 11, 0, 6}, {3, 8, 8, 10}});
        Tensor ed = table.forward(ids);
        INDArray logits = rand(42, 2, 4, 12).muli(3);
        Tensor ld = Tensor.param(logits.dup());
        Tensor lossD = Ops.crossEntropy(ld, targets);
        lossD.backward();
        ed.mul(Tensor.of(rand(43, 2, 4, 6))).sum().backward();
        ThreadCommunicator.run(p, TIMEOUT, comm -> {
            int r = comm.rank();
            long lo = r * 12 / p, hi = (r + 1) * 12 / p;
            VocabParallelEmbedding emb = new VocabParallelEmbedding(table, comm);
            comm.resetStats();
            Tensor e = emb.forward(ids);
            assertEquals(TensorParallelTraffic.allReduceBytes(p, 8 * 6, 8), comm.totalBytesSent(), 0.0,
                    "embedding forward bytes");
            close(ed.value(), e.value(), "embedding vectors on rank " + r);
            comm.resetStats();
            e.mul(Tensor.of(rand(43, 2, 4, 6))).sum().backward();
            assertEquals(0, comm.totalBytesSent(), "embedding backward sends nothing");
            close(rows(table.weight().grad(), lo, hi), emb.weight().grad(), "embedding rows' gradient of rank " + r);

            Tensor lr = Tensor.param(logits.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(lo, hi)).dup());
            comm.resetStats();
            Tensor loss = VocabParallelCrossEntropy.loss(lr, targets, comm);
            assertEquals(TensorParallelTraffic.crossEntropyBytes(p, 8, 8), comm.totalBytesSent(), 0.0,
                    "cross-entropy forward bytes (never B*T*V)");
            assertEquals(lossD.item(), loss.item(), TOL, "vocab-parallel loss on rank " + r);
            comm.resetStats();
            loss.backward();
            assertEquals(0, comm.totalBytesSent(), "cross-entropy backward sends nothing");
            close(ld.grad().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(lo, hi)), lr.grad(),
                    "dLoss/dlogits columns of rank " + r);
            return null;
        });
    }

    @Test
    void vocabParallelCrossEntropyIsStableForHugeLogits() {
        INDArray logits = Nd4j.createFromArray(new double[][] {{1000, 0, -1000, 999}});
        INDArray targets = Nd4j.createFromArray(new int[] {3});
        double dense = Ops.crossEntropy(Tensor.of(logits), targets).item();
        List<Double> got = ThreadCommunicator.run(2, TIMEOUT, comm -> VocabParallelCrossEntropy.loss(
                Tensor.of(cols(logits, comm.rank() * 2, comm.rank() * 2 + 2).dup()), targets, comm).item());
        assertEquals(Math.log(1 + Math.exp(1)), dense, 1e-12);
        for (double g : got) assertEquals(dense, g, 1e-12);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void tensorParallelGptEqualsDenseGpt(int p) {
        GPT dense = new GPT(new GPTConfig(12, 8, 2, 4, 16, 0.0, DataType.DOUBLE, 7));
        INDArray ids = Nd4j.createFromArray(new int[][] {{1, 4, 7, 10, 2, 3}, {11, 0, 5, 5, 9, 8}});
        INDArray targets = Nd4j.createFromArray(new int[][] {{4, 7, 10, 2, 3, 6}, {0, 5, 5, 9, 8, 1}});
        Tensor lossD = dense.loss(ids, targets);
        lossD.backward();
        Map<String, INDArray> dg = grads(dense);
        ThreadCommunicator.run(p, TIMEOUT, comm -> {
            int r = comm.rank();
            TensorParallelGPT model = new TensorParallelGPT(dense, comm);
            comm.resetStats();
            Tensor loss = model.loss(ids, targets);
            loss.backward();
            assertEquals(TensorParallelTraffic.gptStepBytes(p, 12, 16, 2, 8), comm.totalBytesSent(), 0.0,
                    "GPT step bytes of rank " + r);
            assertEquals(lossD.item(), loss.item(), TOL, "GPT loss on rank " + r);
            model.namedParameters().forEach((n, t) -> {
                String prefix = n.startsWith("blocks.") ? n.substring(0, n.indexOf('.', 7) + 1) : "";
                close(expectedShard(n, dg, r, p, prefix), t.grad(), "gradient of " + n + " on rank " + r);
            });
            return null;
        });
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void sizesTheDegreeDoesNotDivideAreRefusedWithAClearMessage() {
        List<String> messages = ThreadCommunicator.run(4, TIMEOUT, comm -> {
            List<String> m = new ArrayList<>();
            m.add(assertThrows(IllegalArgumentException.class, () ->
                    new ColumnParallelLinear(new Linear(8, 10, DataType.DOUBLE, new Random(1)), comm)).getMessage());
            m.add(assertThrows(IllegalArgumentException.class, () ->
                    new RowParallelLinear(new Linear(6, 8, DataType.DOUBLE, new Random(1)), comm)).getMessage());
            m.add(assertThrows(IllegalArgumentException.class, () ->
                    new ParallelAttention(new CausalSelfAttention(12, 6, 0.0, DataType.DOUBLE, new Random(1)), comm))
                    .getMessage());
            m.add(assertThrows(IllegalArgumentException.class, () ->
                    new VocabParallelEmbedding(new Embedding(10, 4, DataType.DOUBLE, new Random(1)), comm)).getMessage());
            return String.join("\n", m);
        });
        String m = messages.get(0);
        assertTrue(m.contains("output width") && m.contains("10"), m);
        assertTrue(m.contains("input width") && m.contains("6"), m);
        assertTrue(m.contains("heads") && m.contains("6"), m);
        assertTrue(m.contains("vocabulary") && m.contains("10"), m);
    }

    @Test
    void targetsAndIdsOutsideTheVocabularyAreRefused() {
        Embedding table = new Embedding(8, 4, DataType.DOUBLE, new Random(1));
        ThreadCommunicator.run(2, TIMEOUT, comm -> {
            var emb = new VocabParallelEmbedding(table, comm);
            var e = assertThrows(IllegalArgumentException.class, () -> emb.forward(Nd4j.createFromArray(new int[] {1, 8})));
            assertTrue(e.getMessage().contains("[0, 8)"), e.getMessage());
            var c = assertThrows(IllegalArgumentException.class, () -> VocabParallelCrossEntropy.loss(
                    Tensor.of(Nd4j.zeros(DataType.DOUBLE, 2, 4)), Nd4j.createFromArray(new int[] {0, 9}), comm));
            assertTrue(c.getMessage().contains("[0, 8)"), c.getMessage());
            return null;
        });
    }
}
