package org.bigmodels.pipeline;

/**
 * One entry of a pipeline schedule: the forward ({@link Kind#FORWARD}) or backward ({@link Kind#BACKWARD}) pass of
 * micro-batch {@code microBatch} (0-based) through model chunk {@code chunk} of the stage that runs it. Without
 * virtual stages every stage holds one chunk (chunk 0); with {@code v} virtual stages per worker (interleaved 1F1B),
 * worker d holds chunks 0..v-1, and chunk c of worker d is model part c·p + d of p·v parts.
 * {@link #toString()} is the label drawn on timelines: {@code F3}, {@code B3}, {@code F3.1} (chunk 1).
 */
public record PipelineOp(Kind kind, int microBatch, int chunk) {
    /** Forward or backward. */
    public enum Kind { FORWARD, BACKWARD }

    public PipelineOp {
        if (kind == null) throw new IllegalArgumentException("PipelineOp: expected FORWARD or BACKWARD, got null");
        if (microBatch < 0 || chunk < 0) {
            throw new IllegalArgumentException("PipelineOp: expected microBatch >= 0 and chunk >= 0, got "
                    + microBatch + ", " + chunk);
        }
    }

    /** The forward pass of micro-batch {@code mb} (chunk 0). */
    public static PipelineOp forward(int mb) {
        return new PipelineOp(Kind.FORWARD, mb, 0);
    }

    /** The backward pass of micro-batch {@code mb} (chunk 0). */
    public static PipelineOp backward(int mb) {
        return new PipelineOp(Kind.BACKWARD, mb, 0);
    }

    /** The forward pass of micro-batch {@code mb} through chunk {@code chunk}. */
    public static PipelineOp forward(int mb, int chunk) {
        return new PipelineOp(Kind.FORWARD, mb, chunk);
    }

    /** The backward pass of micro-batch {@code mb} through chunk {@code chunk}. */
    public static PipelineOp backward(int mb, int chunk) {
        return new PipelineOp(Kind.BACKWARD, mb, chunk);
    }

    /** True for a forward pass. */
    public boolean isForward() {
        return kind == Kind.FORWARD;
    }

    @Override
    public String toString() {
        return (isForward() ? "F" : "B") + microBatch + (chunk > 0 ? "." + chunk : "");
    }
}
