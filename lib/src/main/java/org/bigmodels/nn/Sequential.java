package org.bigmodels.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bigmodels.engine.Tensor;

/** Layers applied one after the other. Sub-modules are named by position: "0", "1", ... */
public class Sequential extends Module implements Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer (a Module is registered as a child, so its parameters are found by name). */
    public Sequential add(Layer layer) {
        if (layer instanceof Module m) {
            child(Integer.toString(layers.size()), m);
        }
        layers.add(layer);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Layer l : layers) {
            h = l.forward(h);
        }
        return h;
    }

    /** The layers in order (unmodifiable; {@link #add} appends). */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }
}
