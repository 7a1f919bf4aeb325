package org.bigmodels.optim;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bigmodels.engine.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", 2015, Algorithm 1), and AdamW (decoupled weight
 * decay: Loshchilov and Hutter, "Decoupled Weight Decay Regularization", 2019, Algorithm 2). Per parameter it keeps
 * two running averages, m of the gradient and v of its square, and its own step count t, which is why training with
 * Adam needs three extra copies of the model's size in memory (computed in 04-tiny-gpt, sharded by ZeRO in
 * 10-memory-and-zero). One step of a parameter w with gradient g:
 * <pre>
 *   t += 1  (this parameter's own count: the number of steps in which it had a gradient)
 *   m = b1·m + (1-b1)·g;   v = b2·v + (1-b2)·g²
 *   AdamW only: w -= lr·wd·w
 *   w -= lr · (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * </pre>
 * The count is per parameter because the bias correction 1/(1-b^t) undoes the zero start of m and v, which begin when
 * the parameter first gets a gradient: a layer unfrozen at step 1000, or a branch some batches skip, must have its
 * first update corrected as a first update (a move of about lr), as PyTorch does.
 *
 * <p>Plain Adam with weight decay adds wd·w to g instead (L2), which interacts badly with the adaptive scaling; that is
 * the point of AdamW. Weight decay comes from {@link ParamGroup}s: the factories that take a plain parameter list apply
 * the usual rule {@link ParamGroup#decayMatricesOnly} (matrices and embeddings decay; biases and norm parameters
 * never do).
 *
 * <p>Any layout of parameter and gradient is updated correctly: plain row-major FLOAT arrays by {@link AdamKernel},
 * others ('f' order, strided or transposed views) through a row-major copy written back. FLOAT and DOUBLE parameters
 * only (a HALF parameter is refused when the optimizer is built).
 */
public final class Adam extends AbstractOptimizer {
    private static final String STEPS_KEY = "steps";

    private final double beta1, beta2, eps;
    private final boolean decoupled;
    private int t;
    // per parameter (same index as params): m, v, a scratch array (made once: a step allocates nothing), own step count
    private final INDArray[] m, v, scratch;
    private final long[] count;

    private Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, boolean decoupled) {
        super(groups, lr);
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("Adam: expected lr > 0, betas in [0, 1), eps > 0; got lr=" + lr
                    + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
        int n = params.size();
        m = new INDArray[n];
        v = new INDArray[n];
        scratch = new INDArray[n];
        count = new long[n];
    }

    /**
     * Adam with weight decay as L2 on the gradient, applied by the usual rule ({@link ParamGroup#decayMatricesOnly}).
     *
     * @throws IllegalArgumentException unless lr &gt; 0, betas in [0, 1), eps &gt; 0, weightDecay &ge; 0
     */
    public static Adam adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Adam(ParamGroup.decayMatricesOnly(params, weightDecay), lr, beta1, beta2, eps, false);
    }

    /** Adam with betas (0.9, 0.999), eps 1e-8 and no weight decay. */
    public static Adam adam(List<Tensor> params, double lr) {
        return adam(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    /** Adam with explicit parameter groups (each group's weight decay added to its gradients as L2). */
    public static Adam adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        return new Adam(groups, lr, beta1, beta2, eps, false);
    }

    /**
     * AdamW: decoupled weight decay, applied by the usual rule: parameters of rank &ge; 2 (weight matrices,
     * embeddings) decay by lr·wd per step, biases and layer-norm parameters do not ({@link ParamGroup#decayMatricesOnly}).
     *
     * @throws IllegalArgumentException unless lr &gt; 0, betas in [0, 1), eps &gt; 0, weightDecay &ge; 0
     */
    public static Adam adamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Adam(ParamGroup.decayMatricesOnly(params, weightDecay), lr, beta1, beta2, eps, true);
    }

    /** AdamW with betas (0.9, 0.999), eps 1e-8, weight decay by the usual rule. */
    public static Adam adamW(List<Tensor> params, double lr, double weightDecay) {
        return adamW(params, lr, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** AdamW with explicit parameter groups: each group's own decoupled weight decay. */
    public static Adam adamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        return new Adam(groups, lr, beta1, beta2, eps, true);
    }

    @Override
    public void step() {
        t++;
        var blas = Nd4j.getBlasWrapper().level1();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            INDArray g = p.grad();
            if (g == null) continue;
            // the update runs on plain row-major arrays (the kernel and BLAS walk raw buffers): any other layout is
            // copied in and out
            INDArray w0 = p.value(), w = plain(w0) ? w0 : w0.dup('c');
            if (!plain(g)) g = g.dup('c');
            long n = w.length();
            if (m[i] == null) {
                m[i] = zerosOf(w);
                v[i] = zerosOf(w);
                scratch[i] = zerosOf(w);
            }
            INDArray mi = m[i], vi = v[i], tmp = scratch[i];
            long ti = ++count[i];
            double c1 = 1 - Math.pow(beta1, ti), c2 = 1 - Math.pow(beta2, ti);
            double wd = weightDecay[i];
            if (AdamKernel.usable(w, g, mi, vi)) {
                // the update below as one Java loop (AdamKernel.update), instead of 9 ND4J calls
                AdamKernel.update(w, g, mi, vi, lr, beta1, beta2, eps, c1, c2, wd, decoupled);
                if (w != w0) w0.assign(w);
                continue;
            }
            if (!decoupled && wd != 0) {
                tmp.assign(g);
                blas.axpy(n, wd, w, tmp);                  // L2: the decay joins the gradient (and its adaptive scaling)
                g = tmp;
            }
            mi.muli(beta1);
            blas.axpy(n, 1 - beta1, g, mi);                // m = b1 m + (1 - b1) g
            vi.muli(beta2);
            g.mul(g, tmp);
            blas.axpy(n, 1 - beta2, tmp, vi);              // v = b2 v + (1 - b2) g^2
            tmp.assign(vi).divi(c2);
            Transforms.sqrt(tmp, false).addi(eps);         // sqrt(v / (1 - b2^t)) + eps
            mi.div(tmp, tmp);                              // m / (...)
            if (decoupled && wd != 0) w.muli(1 - lr * wd);
            blas.axpy(n, -lr / c1, tmp, w);                // w -= lr * m_hat / (sqrt(v_hat) + eps)
            if (w != w0) w0.assign(w);
        }
    }

    @Override
    Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("beta1", beta1);
        h.put("beta2", beta2);
        h.put("eps", eps);
        h.put("decoupled_weight_decay", decoupled ? 1.0 : 0.0);
        return h;
    }

    /** The number of {@link #step()} calls so far. */
    public int steps() {
        return t;
    }

    /** The number of updates {@code p} has had (steps in which it had a gradient): the t of its bias correction. */
    public long steps(Tensor p) {
        for (int i = 0; i < params.size(); i++) if (params.get(i) == p) return count[i];
        throw new IllegalArgumentException("Adam: " + p + " is not one of this optimizer's parameters");
    }

    /**
     * {@code "lr"}, {@code "steps"}, the hyperparameters {@code "beta1"}, {@code "beta2"}, {@code "eps"},
     * {@code "decoupled_weight_decay"} (1 for AdamW) and each parameter's {@code "<name>.weight_decay"} (checked on
     * load: a state is refused by an Adam with other hyperparameters, naming the field and both values) and, for each
     * parameter that has been updated, {@code "<name>.exp_avg"} (m),
     * {@code "<name>.exp_avg_sq"} (v) and {@code "<name>.step"} (its own t, LONG), as copies.
     */
    @Override
    public Map<String, INDArray> state(Map<String, Tensor> namedParameters) {
        String[] names = namesOf(namedParameters);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(LR_KEY, Nd4j.scalar(DataType.DOUBLE, lr));
        out.put(STEPS_KEY, scalarLong(t));
        putHyperparameters(out, names);
        for (int i = 0; i < names.length; i++) {
            if (m[i] == null) continue;
            out.put(names[i] + ".exp_avg", m[i].dup('c'));
            out.put(names[i] + ".exp_avg_sq", v[i].dup('c'));
            out.put(names[i] + ".step", scalarLong(count[i]));
        }
        return out;
    }

    @Override
    public void loadState(Map<String, INDArray> state, Map<String, Tensor> namedParameters) {
        String[] names = namesOf(namedParameters);
        Set<String> known = new HashSet<>(List.of(LR_KEY, STEPS_KEY));
        INDArray[] ms = new INDArray[names.length], vs = new INDArray[names.length];
        long[] counts = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            String n = names[i];
            known.addAll(List.of(n + ".exp_avg", n + ".exp_avg_sq", n + ".step"));
            ms[i] = slot(state, n + ".exp_avg", params.get(i), "Adam");
            vs[i] = slot(state, n + ".exp_avg_sq", params.get(i), "Adam");
            INDArray c = state.get(n + ".step");
            if ((ms[i] == null) != (vs[i] == null) || (ms[i] == null) != (c == null)
                    || c != null && (c.length() != 1 || c.getDouble(0) < 1)) {
                throw new IllegalArgumentException("Adam: the state of '" + n + "' must hold exp_avg, exp_avg_sq "
                        + "and a step >= 1 together, or none of them; got exp_avg " + (ms[i] != null)
                        + ", exp_avg_sq " + (vs[i] != null) + ", step " + c);
            }
            counts[i] = c == null ? 0 : c.getLong(0);
        }
        checkHyperparameters(state, names, known);
        checkKnownKeys(state, known);
        double newLr = readLr(state);
        INDArray s = state.get(STEPS_KEY);
        if (s == null || s.length() != 1) {
            throw new IllegalArgumentException("Adam: the state must hold the number of steps under '" + STEPS_KEY
                    + "', got " + s);
        }
        // everything checked: now change
        for (int i = 0; i < names.length; i++) {
            INDArray w = params.get(i).value();
            m[i] = ms[i] == null ? null : zerosOf(w).assign(ms[i]);
            v[i] = vs[i] == null ? null : zerosOf(w).assign(vs[i]);
            scratch[i] = ms[i] == null ? null : zerosOf(w);
            count[i] = counts[i];
        }
        t = s.getInt(0);
        lr = newLr;
    }
}
