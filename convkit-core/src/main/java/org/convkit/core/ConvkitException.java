package org.convkit.core;

/**
 * An error the user can cause and fix: a bad flag, a missing file, weights that do not fit.
 *
 * <p>The message must name the file, flag or value and say what to do; the CLI prints it without a
 * stack trace (exit code 1), {@code --debug} adds the trace.
 */
public class ConvkitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConvkitException(String message) {
        super(message);
    }

    public ConvkitException(String message, Throwable cause) {
        super(message, cause);
    }
}
