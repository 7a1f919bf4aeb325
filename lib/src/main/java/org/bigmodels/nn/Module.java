package org.bigmodels.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.engine.Tensor;

/**
 * A piece of a model that owns named parameters and named sub-modules, PyTorch-style.
 *
 * <p>Names matter: {@link #namedParameters()} gives every parameter a dotted path ("blocks.0.attn.qkv.weight") in
 * registration order. Later parts of the course prune, shard, quantize and checkpoint parameters by these names, and
 * the DL4J bridge maps them to DL4J's. Taught in 03-mlp-mnist.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter under a local name; returns it. */
    protected Tensor param(String name, org.nd4j.linalg.api.ndarray.INDArray init) {
        checkName(name);
        Tensor p = Tensor.param(init).named(name);
        params.put(name, p);
        return p;
    }

    /** Registers a sub-module under a local name; returns it. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isBlank() || name.contains(".")) {
            throw new IllegalArgumentException("Module: a local name must be non-blank and contain no '.', got '"
                    + name + "'");
        }
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("Module: the name '" + name + "' is already registered in "
                    + getClass().getSimpleName());
        }
    }

    /** Every parameter, by dotted path, in registration order (this module's own first, then each child's). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    /** The parameters in {@link #namedParameters()} order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameter at a dotted path, or an exception listing the valid names. */
    public Tensor parameter(String path) {
        Tensor p = namedParameters().get(path);
        if (p == null) {
            throw new IllegalArgumentException("no parameter '" + path + "' in " + getClass().getSimpleName()
                    + "; parameters are " + namedParameters().keySet());
        }
        return p;
    }

    /** The direct sub-modules by local name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.value().length()).sum();
    }

    /** Total bytes held by the parameters' values: the sum of elements × bytes per element (gradients excluded). */
    public long parameterBytes() {
        return namedParameters().values().stream().mapToLong(p -> p.value().length() * p.dataType().width()).sum();
    }

    /**
     * The parameter table: per parameter its dotted name, shape, count, dtype and bytes, then a totals row.
     * See {@link ModuleSummary#of(Module)}.
     */
    public tech.tablesaw.api.Table summary() {
        return ModuleSummary.of(this);
    }

    /** Training mode (dropout on) or evaluation mode (dropout off), for this module and all below it. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    /** Whether this module is in training mode (the default; dropout on), as set by {@link #train(boolean)}. */
    public boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        namedParameters().values().forEach(Tensor::zeroGrad);
    }
}
