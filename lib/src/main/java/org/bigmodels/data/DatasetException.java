package org.bigmodels.data;

/**
 * A dataset file is missing, damaged or not in the format its loader expects.
 * The message always names the file and says how to put it right (notebook 00-welcome).
 */
public final class DatasetException extends RuntimeException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
