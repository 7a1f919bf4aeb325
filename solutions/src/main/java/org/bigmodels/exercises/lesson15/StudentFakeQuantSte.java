package org.bigmodels.exercises.lesson15;

import org.bigmodels.engine.Tensor;
import org.bigmodels.quant.QuantParams;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exercise 15.1 (lesson 15-quantization-aware-training): the backward of fake quantization. The forward,
 * y = S (clamp(round(x / S) + Z, qmin, qmax) - Z), is a staircase whose true derivative is 0 almost everywhere. The
 * straight-through estimator (Bengio et al. 2013; Jacob et al. 2018, section 3) treats round() as the identity, so
 * dL/dx is the derivative of the clipping alone: dL/dy inside the representable range [S (qmin - Z), S (qmax - Z)]
 * (both ends included) and 0 where the value was clipped.
 *
 * <p>Replace the {@code throw} below with your code, then run {@code ./course grade 15}. {@link #apply} (given) plugs
 * your backward into the course engine, as the library's {@code FakeQuant.observed} does.
 */
public final class StudentFakeQuantSte {
    private StudentFakeQuantSte() {}

    /**
     * dL/dx for per-tensor parameters p (use p.scale(0), p.zeroPoint(0), p.format().qmin()/qmax(), or
     * p.rangeMin(0)/p.rangeMax(0)), given the inputs x and the upstream gradient dL/dy, same length.
     */
    public static double[] steGradient(double[] x, double[] gradOut, QuantParams p) {
        double lo = p.rangeMin(0), hi = p.rangeMax(0);
        double[] dx = new double[x.length];
        for (int k = 0; k < x.length; k++) dx[k] = x[k] >= lo && x[k] <= hi ? gradOut[k] : 0;
        return dx;
    }

    /** The fake-quantization op in the engine, with your backward (given). */
    public static Tensor apply(Tensor x, QuantParams p) {
        INDArray xv = x.value();
        double[] xs = xv.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        return Tensor.fromOp("studentFakeQuant", p.fakeQuantize(xv), g -> {
            double[] gs = g.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            double[] dx = steGradient(xs, gs, p);
            x.accumulateGrad(Nd4j.create(dx, g.shape(), 'c').castTo(g.dataType()));
        }, x);
    }
}
