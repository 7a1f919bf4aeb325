package org.bigmodels.engine;

/**
 * A shape that an operation cannot take, reported before ND4J sees it (so never a native crash).
 * The message names the operation, what it expects and the shapes it got.
 */
public class ShapeException extends IllegalArgumentException {
    private final String op;

    public ShapeException(String op, String expected, String got) {
        super(op + ": expected " + expected + ", got " + got);
        this.op = op;
    }

    /** The operation that refused its input, e.g. "matmul". */
    public String op() {
        return op;
    }
}
