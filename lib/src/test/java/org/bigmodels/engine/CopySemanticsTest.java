package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fault kind 7 of issue 6: a method whose documentation promises a fresh array must not return a view of its input
 * (and the documented views must be views). The reference is a plain double[] snapshot taken before the source is
 * changed in place.
 */
class CopySemanticsTest {

    static Tensor param() {
        return Tensor.param(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}}));
    }

    static double[] snapshot(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector(); // plain Java numbers: nothing can alias them
    }

    @Test
    void detachIsASnapshotThatLaterOptimizerStepsAndWritesDoNotShare() {
        Tensor p = param();
        Tensor snap = p.detach();
        double[] before = snapshot(p.value());
        p.mul(p).sum().backward();
        new org.bigmodels.optim.SGD(List.of(p), 0.1).step(); // updates p.value() in place
        p.value().addi(1);
        assertArrayEquals(before, snapshot(snap.value()), 0.0, "detach() promised a copy, it followed the update");
        snap.value().muli(100);
        assertNotEquals(snapshot(snap.value())[0], snapshot(p.value())[0], "writing into the copy changed the parameter");
        assertFalse(snap.requiresGrad());
        assertTrue(snap.inputs().isEmpty());
    }

    @Test
    void everyOpResultIsFreshSoAnInPlaceUpdateOfAnInputDoesNotReachIt() {
        Map<String, Function<Tensor, Tensor>> ops = new LinkedHashMap<>();
        ops.put("reshape", t -> t.reshape(3, 2));
        ops.put("reshape same shape", t -> t.reshape(2, 3));
        ops.put("reshape -1", t -> t.reshape(-1));
        ops.put("transpose", t -> t.transpose(0, 1));
        ops.put("split", t -> t.split(1, 1, 2).get(1));
        ops.put("chunk", t -> Ops.chunk(t, 0, 2).get(0));
        ops.put("concat of one", t -> Ops.concat(0, t));
        ops.put("add scalar 0", t -> t.add(0.0));
        ops.put("scale 1", t -> t.mul(1.0));
        ops.put("pow 1", t -> t.pow(1.0));
        ops.put("sum axis", t -> t.sum(false, 0));
        ops.put("mean axis", t -> t.mean(true, 1));
        ops.put("relu", Tensor::relu);
        ops.put("softmax", Tensor::softmax);
        ops.put("logSoftmax", Tensor::logSoftmax);
        ops.put("embedding", t -> Ops.embedding(t, Nd4j.createFromArray(1, 0)));
        ops.put("layerNorm", t -> Ops.layerNorm(t, Tensor.of(Nd4j.ones(DataType.DOUBLE, 3)),
                Tensor.of(Nd4j.zeros(DataType.DOUBLE, 3)), 1e-5));
        ops.put("linear", t -> Ops.linear(t, Tensor.of(Nd4j.eye(3).castTo(DataType.DOUBLE)), null));
        ops.put("dropout 0.5", t -> Ops.dropout(t, 0.5));
        for (var e : ops.entrySet()) {
            for (boolean grad : new boolean[] {true, false}) {
                Tensor p = param();
                Tensor out;
                try (var mode = Tensor.setGradEnabled(grad)) {
                    out = e.getValue().apply(p);
                }
                double[] before = snapshot(out.value());
                p.value().addi(1000);
                assertArrayEquals(before, snapshot(out.value()), 0.0, e.getKey() + " (grad " + grad + ") returned a "
                        + "view of its input, although Ops promises fresh arrays");
                out.value().muli(-1);
                assertEquals(1001.0, p.value().getDouble(0, 0), 0.0, e.getKey() + ": writing into the result changed the input");
            }
        }
    }

    @Test
    void theDocumentedViewsAreViews() {
        INDArray a = Nd4j.createFromArray(1.0, 2.0);
        Tensor c = Tensor.of(a), p = Tensor.param(a);
        assertSame(a, c.value(), "Tensor.of wraps its array (documented: no copy)");
        assertSame(a, p.value(), "Tensor.param wraps its array (documented: no copy)");
        assertSame(p, Ops.dropout(p, 0.0), "dropout with p = 0 is the documented exception: its input itself");
        p.mul(p).sum().backward();
        assertSame(p.grad(), p.grad(), "grad() is the live gradient");
    }
}
