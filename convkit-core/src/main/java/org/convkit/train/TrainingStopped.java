package org.convkit.train;

import org.convkit.core.ConvkitException;

/**
 * A callback stopped training on purpose and wants the user told why (a NaN loss, an
 * out-of-memory error): the message says what happened and what to try.
 */
public class TrainingStopped extends ConvkitException {
    private static final long serialVersionUID = 1L;

    public TrainingStopped(String message) {
        super(message);
    }

    public TrainingStopped(String message, Throwable cause) {
        super(message, cause);
    }
}
