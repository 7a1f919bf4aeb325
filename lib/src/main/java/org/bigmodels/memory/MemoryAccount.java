package org.bigmodels.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.bigmodels.optim.Optimizer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The memory one worker holds during a training step, in bytes, by kind, measured from the arrays actually held (not
 * computed from a formula): parameters, gradients, optimizer state (the "model states" of the ZeRO paper, Rajbhandari
 * et al. 2020, section 3.1) and activations (the "residual states" the graph keeps for backward, section 3.2).
 *
 * <p>How each part is measured: an array is counted by its buffer (views of one buffer count once), as elements ×
 * bytes per element; parameters from the values of the tensors given, gradients from their {@code grad()} arrays
 * (plus any gradient shards a ZeRO worker keeps), optimizer state from the arrays of {@link Optimizer#state} (Adam's m
 * and v; its scalars such as the learning rate and step counts are not counted), activations by walking the autograd
 * graph of the loss ({@link #activationBytes}). Not counted: temporary buffers (a communication buffer, Adam's scratch
 * array), which the ZeRO paper also lists apart; the activation count is the values of the graph's nodes, and an op's
 * closure may keep a few more arrays (a dropout mask, a saved softmax).
 *
 * <p>The formula these are compared with, in the float32 form used throughout the course: per parameter 4 bytes of
 * weights, 4 of gradient and K = 8 of Adam state (m and v), so (4 + 4 + 8)·Ψ = 16Ψ for plain data parallelism, and
 * per worker of W with ZeRO: stage 1 (4 + 4 + 8/W)Ψ, stage 2 (4 + (4 + 8)/W)Ψ, stage 3 (4 + 4 + 8)Ψ/W (the paper's
 * (2 + 2 + K)Ψ/N with K = 12 is the mixed-precision form of the same table; see {@link ZeroStage#formula}).
 *
 * @param parameters     bytes of parameter arrays held (for ZeRO-3 the shard plus the gathered working set)
 * @param gradients      bytes of gradient arrays held
 * @param optimizerState bytes of optimizer state arrays held
 * @param activations    bytes of activations held by the graph of the loss
 */
public record MemoryAccount(long parameters, long gradients, long optimizerState, long activations) {

    /** @throws IllegalArgumentException if a part is negative */
    public MemoryAccount {
        if (parameters < 0 || gradients < 0 || optimizerState < 0 || activations < 0) {
            throw new IllegalArgumentException("MemoryAccount: expected byte counts >= 0, got " + parameters + ", "
                    + gradients + ", " + optimizerState + ", " + activations);
        }
    }

    /** Parameters + gradients + optimizer state: the model states. */
    public long modelStates() {
        return parameters + gradients + optimizerState;
    }

    /** All four parts. */
    public long total() {
        return modelStates() + activations;
    }

    /** This account with its activations replaced. */
    public MemoryAccount withActivations(long bytes) {
        return new MemoryAccount(parameters, gradients, optimizerState, bytes);
    }

    /**
     * Measures a single worker (plain training or a data-parallel replica): the model's parameter values and
     * gradients, the optimizer's state, and the activations of {@code loss}'s graph (null: 0).
     *
     * @throws IllegalArgumentException if model or optimizer is null
     */
    public static MemoryAccount of(Module model, Optimizer optimizer, Tensor loss) {
        if (model == null || optimizer == null) {
            throw new IllegalArgumentException("MemoryAccount.of: expected a model and an optimizer, got a null");
        }
        List<INDArray> values = new ArrayList<>(), grads = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            values.add(p.value());
            if (p.grad() != null) grads.add(p.grad());
        }
        return new MemoryAccount(bytes(values), bytes(grads), stateBytes(optimizer, model.namedParameters()),
                loss == null ? 0 : activationBytes(loss));
    }

    /**
     * Bytes of the optimizer's state arrays ({@link Optimizer#state}; rank-0 scalars such as the learning rate and
     * step counts excluded).
     */
    public static long stateBytes(Optimizer optimizer, Map<String, Tensor> namedParameters) {
        long sum = 0;
        for (INDArray a : optimizer.state(namedParameters).values()) {
            if (a.rank() > 0) sum += a.length() * a.dataType().width();
        }
        return sum;
    }

    /**
     * The bytes of activations the graph of {@code loss} keeps for backward: the values of every node that is not a
     * leaf (an op's result that depends on a parameter), each buffer once. Parameters and inputs are leaves and are
     * not counted. Call it after forward (and before the graph is dropped).
     */
    public static long activationBytes(Tensor loss) {
        if (loss == null) throw new IllegalArgumentException("MemoryAccount.activationBytes: expected a loss tensor");
        List<INDArray> values = new ArrayList<>();
        for (Tensor t : loss.topologicalOrder()) {
            if (!t.inputs().isEmpty()) values.add(t.value());
        }
        return bytes(values);
    }

    /** The bytes of the distinct buffers behind {@code arrays} (a view and its base count once). */
    public static long bytes(Collection<INDArray> arrays) {
        Set<DataBuffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long sum = 0;
        for (INDArray a : arrays) {
            if (a == null) continue;
            DataBuffer d = a.data();
            DataBuffer base = d.originalDataBuffer() != null ? d.originalDataBuffer() : d;
            if (seen.add(base)) sum += base.length() * base.getElementSize();
        }
        return sum;
    }
}
