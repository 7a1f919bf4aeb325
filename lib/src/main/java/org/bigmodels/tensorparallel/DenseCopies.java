package org.bigmodels.tensorparallel;

import java.util.Random;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.LayerNorm;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Package helpers: dense layers made from given weights (copies), for the replicated parts of a parallel model. */
final class DenseCopies {
    private DenseCopies() {}

    /** A Linear with weight w [in, out] and bias b [out] (or none), copied. */
    static Linear linear(INDArray w, INDArray b) {
        Linear l = new Linear(w.size(0), w.size(1), b != null, w.dataType(), new Random(0));
        l.weight().value().assign(w);
        if (b != null) l.bias().value().assign(b);
        return l;
    }

    /** A Linear made from the parameters "prefix.weight" and "prefix.bias" of a module. */
    static Linear linear(Module m, String prefix) {
        INDArray b = m.namedParameters().containsKey(prefix + ".bias") ? m.parameter(prefix + ".bias").value() : null;
        return linear(m.parameter(prefix + ".weight").value(), b);
    }

    /** A LayerNorm with the parameters "prefix.weight" and "prefix.bias" of a module, copied. */
    static LayerNorm layerNorm(Module m, String prefix) {
        INDArray gamma = m.parameter(prefix + ".weight").value();
        LayerNorm ln = new LayerNorm(gamma.length(), gamma.dataType());
        ln.parameter("weight").value().assign(gamma);
        ln.parameter("bias").value().assign(m.parameter(prefix + ".bias").value());
        return ln;
    }

    /** An Embedding with the table "prefix.weight" of a module, copied. */
    static Embedding embedding(Module m, String prefix) {
        INDArray table = m.parameter(prefix + ".weight").value();
        Embedding e = new Embedding(table.size(0), table.size(1), table.dataType(), new Random(0));
        e.weight().value().assign(table);
        return e;
    }
}
