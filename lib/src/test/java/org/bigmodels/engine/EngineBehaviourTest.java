package org.bigmodels.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shape errors, no-grad mode, accumulation, the direct BLAS path and the arena. */
class EngineBehaviourTest {

    @Test
    void badShapesAreRefusedBeforeNd4jWithBothShapesNamed() {
        Tensor a = Tensor.param(Nd4j.zeros(DataType.FLOAT, 2, 3));
        Tensor b = Tensor.param(Nd4j.zeros(DataType.FLOAT, 4, 5));
        ShapeException e = assertThrows(ShapeException.class, () -> a.matmul(b));
        assertEquals("matmul", e.op());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());

        ShapeException add = assertThrows(ShapeException.class, () -> a.add(Tensor.of(Nd4j.zeros(DataType.FLOAT, 2, 4))));
        assertTrue(add.getMessage().startsWith("add:") && add.getMessage().contains("[2, 4]"), add.getMessage());
        assertThrows(ShapeException.class, () -> a.reshape(5, -1));
        assertThrows(ShapeException.class, () -> a.split(1, 1, 1));
        assertThrows(ShapeException.class, () -> Ops.concat(0, a, b));
        assertThrows(ShapeException.class, () -> Ops.linear(a, b, null));
        assertThrows(ShapeException.class, () -> Ops.causalMask(a));
        assertThrows(ShapeException.class, () -> Ops.crossEntropy(a, Nd4j.createFromArray(1, 2, 0)));
        IllegalArgumentException badClass = assertThrows(IllegalArgumentException.class,
                () -> Ops.crossEntropy(a, Nd4j.createFromArray(1, 3)));
        assertTrue(badClass.getMessage().contains("[0, 3)"), badClass.getMessage());
        IllegalArgumentException types = assertThrows(IllegalArgumentException.class,
                () -> a.add(Tensor.of(Nd4j.zeros(DataType.DOUBLE, 2, 3))));
        assertTrue(types.getMessage().contains("FLOAT") && types.getMessage().contains("DOUBLE"));
    }

    @Test
    void matmulEqualsNd4jReference() {
        INDArray a = Nd4j.rand(DataType.DOUBLE, 5, 7), b = Nd4j.rand(DataType.DOUBLE, 7, 3);
        INDArray got = Tensor.of(a).matmul(Tensor.of(b)).value();
        assertTrue(got.equalsWithEps(a.mmul(b), 1e-12));
        INDArray a4 = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5), b4 = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 6);
        INDArray got4 = Tensor.of(a4).matmul(Tensor.of(b4)).value();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                INDArray ref = a4.slice(i).slice(j).mmul(b4.slice(i).slice(j));
                assertTrue(got4.slice(i).slice(j).equalsWithEps(ref, 1e-4), "batch " + i + "," + j);
            }
        }
    }

    @Test
    void gemmHandlesTransposesAndAccumulation() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 6, 4), b = Nd4j.rand(DataType.FLOAT, 5, 6);
        INDArray c = Nd4j.ones(DataType.FLOAT, 4, 5);
        Gemm.mm(a, true, b, true, c, 2.0, 1.0);
        INDArray ref = a.transpose().mmul(b.transpose()).muli(2).addi(1);
        assertTrue(c.equalsWithEps(ref, 1e-4));
    }

    @Test
    void noGradBuildsNoGraph() {
        Tensor w = Tensor.param(Nd4j.ones(DataType.DOUBLE, 2, 2));
        try (var off = Tensor.noGrad()) {
            Tensor y = w.mul(3.0).sum();
            assertFalse(y.requiresGrad());
            assertTrue(y.inputs().isEmpty());
            assertThrows(IllegalStateException.class, y::backward);
        }
        assertTrue(Tensor.isGradEnabled());
    }

    @Test
    void gradientsAccumulateOverUsesAndCalls() {
        Tensor x = Tensor.param(Nd4j.createFromArray(2.0, 3.0));
        x.mul(x).sum().backward(); // d/dx sum(x^2) = 2x
        assertArrayEquals(new double[] {4, 6}, x.grad().toDoubleVector(), 1e-12);
        x.sum().backward(); // + 1
        assertArrayEquals(new double[] {5, 7}, x.grad().toDoubleVector(), 1e-12);
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void backwardNeedsAScalarOrASeed() {
        Tensor x = Tensor.param(Nd4j.ones(DataType.DOUBLE, 3));
        ShapeException e = assertThrows(ShapeException.class, () -> x.mul(2.0).backward());
        assertTrue(e.getMessage().contains("scalar"));
    }

    @Test
    void causalMaskGivesTheFutureZeroWeight() {
        Tensor s = Tensor.of(Nd4j.rand(DataType.FLOAT, 1, 4, 4));
        INDArray w = Ops.causalMask(s).softmax().value();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if (j > i) assertEquals(0.0, w.getDouble(0, i, j), 0.0);
            }
            assertEquals(1.0, w.slice(0).getRow(i).sumNumber().doubleValue(), 1e-5);
        }
    }

    @Test
    void arenaReusesArraysAndGivesTheSameResults() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 5);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray b = Nd4j.rand(DataType.DOUBLE, 3);
        INDArray y = Nd4j.createFromArray(0, 2, 1, 1, 0, 2, 2, 1);
        Tensor tw = Tensor.param(w), tb = Tensor.param(b);
        Ops.crossEntropy(Ops.linear(Tensor.of(x), tw, tb).relu(), y).backward();
        INDArray refW = tw.grad().dup(), refB = tb.grad().dup();

        Arena arena = new Arena();
        for (int step = 0; step < 3; step++) {
            try (Arena open = arena.open()) {
                tw.zeroGrad();
                tb.zeroGrad();
                Ops.crossEntropy(Ops.linear(Tensor.of(x), tw, tb).relu(), y).backward();
                assertTrue(tw.grad().equalsWithEps(refW, 1e-12), "step " + step);
                assertTrue(tb.grad().equalsWithEps(refB, 1e-12), "step " + step);
            }
            int held = arena.arrays();
            assertTrue(held > 0);
            if (step > 0) assertEquals(held, arena.arrays());
        }
        int before = arena.arrays();
        try (Arena open = arena.open()) {
            Ops.crossEntropy(Ops.linear(Tensor.of(x), tw, tb).relu(), y).backward();
        }
        assertEquals(before, arena.arrays(), "a repeated step must allocate nothing new");
        assertFalse(Arena.active());
    }

    @Test
    void splitThenConcatIsIdentity() {
        Tensor x = Tensor.param(Nd4j.rand(DataType.DOUBLE, 2, 6));
        List<Tensor> parts = x.split(1, 2, 4);
        Tensor back = Ops.concat(1, parts.get(0), parts.get(1));
        assertEquals(x.value(), back.value());
        back.sum().backward();
        assertEquals(Nd4j.ones(DataType.DOUBLE, 2, 6), x.grad());
    }

    @Test
    void opsCanBeDefinedOutsideTheEngine() {
        // a "clip to [-1, 1]" op with a straight-through gradient, as quantization-aware training will need
        java.util.function.Function<Tensor, Tensor> clipSte = x -> Tensor.fromOp("clipSte",
                org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(x.value(), -1.0), 1.0),
                g -> x.accumulateGrad(g), x);
        Tensor x = Tensor.param(Nd4j.createFromArray(-3.0, 0.5, 2.0));
        Tensor y = clipSte.apply(x);
        assertArrayEquals(new double[] {-1, 0.5, 1}, y.value().toDoubleVector(), 0);
        assertEquals("clipSte", y.op());
        y.mul(Tensor.of(Nd4j.createFromArray(1.0, 2.0, 3.0))).sum().backward();
        assertArrayEquals(new double[] {1, 2, 3}, x.grad().toDoubleVector(), 0);
    }

    @Test
    void dropoutZeroesAboutPAndPassesTheSameMaskBack() {
        Nd4j.getRandom().setSeed(3);
        Tensor x = Tensor.param(Nd4j.ones(DataType.DOUBLE, 200, 50));
        Tensor y = Ops.dropout(x, 0.3);
        INDArray v = y.value();
        double zeros = v.eq(0.0).castTo(DataType.DOUBLE).sumNumber().doubleValue() / v.length();
        assertEquals(0.3, zeros, 0.02, "fraction dropped");
        // kept elements are scaled by 1/(1-p), so the mean stays about 1
        assertEquals(1.0, v.meanNumber().doubleValue(), 0.03);
        y.sum().backward();
        assertEquals(v, x.grad(), "d(sum(dropout(x)))/dx is the mask itself (x = 1)");
        assertSame(x, Ops.dropout(x, 0.0), "p = 0 is the identity");
        assertThrows(IllegalArgumentException.class, () -> Ops.dropout(x, 1.0));
    }
}
