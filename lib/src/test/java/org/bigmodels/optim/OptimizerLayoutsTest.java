package org.bigmodels.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bigmodels.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Review finding 2: every optimizer must update element (i, j) of a parameter from element (i, j) of its gradient,
 * whatever the layout of either ('c', 'f', a strided view, a transposed view, a dense view of a larger buffer). The
 * reference is each optimizer's formula as a plain double loop, over three steps with a different gradient each step.
 * Also the learning-rate rule of finding 1: finite and &ge; 0.
 */
class OptimizerLayoutsTest {
    static final double[][] W0 = {{1, 2, 3}, {4, 5, 6}};
    static final double LR = 0.1;

    static double[][] grad(int step) {
        return new double[][] {{0.5 + step, -1, 2}, {-3, 0.25 * step, 1 - step}};
    }

    /** The same values in a layout; views are views of a larger array of zeros. */
    static INDArray layout(String kind, double[][] v, DataType type) {
        INDArray c = Nd4j.createFromArray(v).castTo(type);
        return switch (kind) {
            case "c" -> c;
            case "f" -> c.dup('f');
            case "strided view" -> Nd4j.zeros(type, 4, 5).get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(1, 4)).assign(c);
            case "transposed view" -> Nd4j.zeros(type, 3, 2).transpose().assign(c);
            case "view at offset 0" -> Nd4j.zeros(type, 4, 3).get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).assign(c);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static final String[] LAYOUTS = {"c", "f", "strided view", "transposed view", "view at offset 0"};

    /** Plain double loops of each optimizer over three steps (PyTorch's formulas). */
    static double[] reference(String opt) {
        double[] w = new double[6], m = new double[6], v = new double[6];
        for (int i = 0; i < 6; i++) w[i] = W0[i / 3][i % 3];
        double mu = 0.9, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        for (int t = 1; t <= 3; t++) {
            double[][] g2 = grad(t - 1);
            for (int i = 0; i < 6; i++) {
                double g = g2[i / 3][i % 3];
                switch (opt) {
                    case "sgd" -> w[i] -= LR * g;
                    case "sgd momentum wd" -> {
                        g += wd * w[i];
                        m[i] = t == 1 ? g : mu * m[i] + g;
                        w[i] -= LR * m[i];
                    }
                    case "adam", "adamW" -> {
                        if (opt.equals("adam")) g += wd * w[i];
                        m[i] = b1 * m[i] + (1 - b1) * g;
                        v[i] = b2 * v[i] + (1 - b2) * g * g;
                        if (opt.equals("adamW")) w[i] -= LR * wd * w[i];
                        double mh = m[i] / (1 - Math.pow(b1, t)), vh = v[i] / (1 - Math.pow(b2, t));
                        w[i] -= LR * mh / (Math.sqrt(vh) + eps);
                    }
                    default -> throw new IllegalArgumentException(opt);
                }
            }
        }
        return w;
    }

    static final Map<String, Function<List<Tensor>, Optimizer>> OPTIMIZERS = new LinkedHashMap<>();
    static {
        OPTIMIZERS.put("sgd", p -> new SGD(p, LR));
        OPTIMIZERS.put("sgd momentum wd", p -> new SGD(p, LR, 0.9, 0.1));
        OPTIMIZERS.put("adam", p -> Adam.adam(p, LR, 0.9, 0.999, 1e-8, 0.1));
        OPTIMIZERS.put("adamW", p -> Adam.adamW(p, LR, 0.9, 0.999, 1e-8, 0.1));
    }

    @Test
    void everyOptimizerUpdatesEveryLayoutElementByElement() {
        List<String> wrong = new ArrayList<>();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (var o : OPTIMIZERS.entrySet()) {
                double[] expect = reference(o.getKey());
                for (String wl : LAYOUTS) {
                    for (String gl : LAYOUTS) {
                        Tensor p = Tensor.param(layout(wl, W0, type));
                        Optimizer opt = o.getValue().apply(List.of(p));
                        for (int s = 0; s < 3; s++) {
                            opt.zeroGrad();
                            p.accumulateGrad(layout(gl, grad(s), type));
                            opt.step();
                        }
                        double[] got = p.value().dup('c').castTo(DataType.DOUBLE).reshape(6).toDoubleVector();
                        for (int i = 0; i < 6; i++) {
                            if (Math.abs(got[i] - expect[i]) > 1e-5 * Math.max(1, Math.abs(expect[i]))) {
                                wrong.add(type + " " + o.getKey() + ", " + wl + " parameter, " + gl + " gradient: w["
                                        + i / 3 + "," + i % 3 + "] = " + got[i] + ", expected " + expect[i]);
                                break;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong updates, e.g.\n" + String.join("\n",
                wrong.subList(0, Math.min(8, wrong.size()))));
    }

    @Test
    void theLearningRateMustBeFiniteAndNonNegative() {
        for (var o : OPTIMIZERS.entrySet()) {
            Tensor p = Tensor.param(Nd4j.createFromArray(W0));
            Optimizer opt = o.getValue().apply(List.of(p));
            for (double bad : new double[] {Double.NaN, -0.1, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.setLearningRate(bad),
                        o.getKey() + ": lr " + bad);
                assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
            }
            assertEquals(LR, opt.learningRate(), 0.0, "a refused rate must leave the old one");
            opt.setLearningRate(0.0);
            p.accumulateGrad(Nd4j.createFromArray(grad(1)));
            opt.step();
            // lr 0: no move at all (AdamW's decay is lr·wd·w = 0 too)
            assertArrayEquals(Nd4j.createFromArray(W0).reshape(6).toDoubleVector(), p.value().reshape(6).toDoubleVector(),
                    0.0, o.getKey() + " at lr 0");
        }
    }

    @Test
    void aHalfParameterIsRefusedWhenTheOptimizerIsBuilt() {
        Tensor h = Tensor.param(Nd4j.rand(DataType.HALF, 3));
        for (var o : OPTIMIZERS.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.getValue().apply(List.of(h)));
            assertTrue(e.getMessage().contains("HALF"), e.getMessage());
        }
    }
}
