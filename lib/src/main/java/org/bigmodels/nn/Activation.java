package org.bigmodels.nn;

import org.bigmodels.engine.Tensor;

/** The elementwise nonlinearities as {@link Layer}s, to put between Linear layers in a {@link Sequential}. */
public enum Activation implements Layer {
    RELU {
        @Override
        public Tensor forward(Tensor x) {
            return x.relu();
        }
    },
    GELU {
        @Override
        public Tensor forward(Tensor x) {
            return x.gelu();
        }
    },
    TANH {
        @Override
        public Tensor forward(Tensor x) {
            return x.tanh();
        }
    },
    SIGMOID {
        @Override
        public Tensor forward(Tensor x) {
            return x.sigmoid();
        }
    },
    IDENTITY {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }
}
