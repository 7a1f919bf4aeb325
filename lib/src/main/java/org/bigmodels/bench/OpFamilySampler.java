package org.bigmodels.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a thread's time goes by op family, from stack samples: a daemon thread reads the measured thread's stack
 * every {@code periodMicros} and files the sample under the family of the innermost engine frame that names one
 * ({@link #family}). A sampling profiler in thirty lines, so the benchmark can print a split without instrumenting
 * the engine; its samples land at safepoints (like {@code Thread.getStackTrace} everywhere), which blurs single lines
 * but not the shares of whole ops (each op runs for many microseconds).
 */
public final class OpFamilySampler implements AutoCloseable {
    /** The families, in the order the benchmark prints them. */
    public static final List<String> FAMILIES = List.of("attention", "matmuls", "layer norm", "GELU", "softmax",
            "optimizer", "loss", "other");

    private final Thread target;
    private final Thread sampler;
    private final Map<String, long[]> counts = new LinkedHashMap<>();
    private volatile boolean running = true;

    /** Starts sampling {@code target} (usually the calling thread). */
    public OpFamilySampler(Thread target, long periodMicros) {
        this.target = target;
        for (String f : FAMILIES) counts.put(f, new long[1]);
        this.sampler = new Thread(() -> {
            while (running) {
                StackTraceElement[] stack = target.getStackTrace();
                if (stack.length > 0) {
                    synchronized (counts) {
                        counts.get(family(stack))[0]++;
                    }
                }
                try {
                    Thread.sleep(periodMicros / 1000, (int) (periodMicros % 1000) * 1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "op-family-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * The family of one stack (innermost frame first): batched products and the reshapes, transposes, splits,
     * scale and mask of {@code CausalSelfAttention} are "attention"; the other products (linear layers, the head)
     * "matmuls"; layer norm, GELU and softmax (forward and their backward closures, javac's {@code lambda$name$n})
     * their own; Adam, SGD, clipping and zeroing gradients "optimizer"; cross-entropy "loss"; the rest "other".
     */
    static String family(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName(), m = f.getMethodName();
            if (c.endsWith(".BatchedGemm") || c.endsWith(".FusedAttention")) return "attention";
            if (c.endsWith(".AdamKernel")) return "optimizer";
            if (c.contains(".optim.")) return "optimizer";
            if (c.endsWith(".engine.Ops")) {
                String op = m.startsWith("lambda$") ? m.substring(7, m.indexOf('$', 7)) : m;
                switch (op) {
                    case "layerNorm": return "layer norm";
                    case "gelu": return "GELU";
                    case "softmax": return "softmax";
                    case "crossEntropy": case "logSoftmax": return "loss";
                    case "linear": case "matmul": return "matmuls";
                    case "causalMask": case "reshape": case "transpose": case "split": case "chunk": case "scale":
                    case "attention":
                        return "attention";
                    default: // a helper (like, plainCopy, bmul): the caller decides
                }
            }
            if (c.endsWith(".CausalSelfAttention")) return "attention";
            if (c.endsWith(".Trainer") && m.equals("runSteps")) return "other";
        }
        return "other";
    }

    /** Stops sampling and returns the number of samples per family. */
    public Map<String, Long> stop() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        synchronized (counts) {
            counts.forEach((k, v) -> out.put(k, v[0]));
        }
        return out;
    }

    @Override
    public void close() {
        stop();
    }

    /** The thread being sampled. */
    public Thread target() {
        return target;
    }
}
